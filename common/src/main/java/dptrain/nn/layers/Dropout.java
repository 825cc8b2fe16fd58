package dptrain.nn.layers;

import dptrain.nn.ForwardContext;

/**
 * Dropout as in the book: in training each unit is kept when a uniform draw exceeds the ratio (the output is
 * not rescaled); at inference the output is x·(1 − ratio). Draws come from a counter-based hash of (seed, step,
 * global sample index, layer, unit), so a sample's mask is the same whichever shard or worker computes it.
 */
public final class Dropout extends Layer {
    private final float ratio;
    private final long layerKey;
    private final boolean[] mask;

    /** Builds the layer; {@code layerIndex} keeps masks of different dropout layers independent. */
    public Dropout(LayerSetup s, float ratio, int layerIndex) {
        super(s, true);
        this.ratio = ratio;
        this.layerKey = CounterRandom.mix(0x5DEECE66DL + layerIndex);
        this.mask = new boolean[maxBatch * inSize];
    }

    @Override
    public float[] forward(float[] x, int n, ForwardContext ctx) {
        if (!ctx.train) {
            float keep = 1f - ratio;
            for (int i = 0, len = n * inSize; i < len; i++) {
                out[i] = x[i] * keep;
            }
            return out;
        }
        long base = CounterRandom.mix(ctx.seed ^ layerKey) ^ CounterRandom.mix(ctx.step * 0x9E3779B97F4A7C15L);
        for (int s = 0; s < n; s++) {
            long sampleKey = CounterRandom.mix(base + (ctx.batchOffset + s) * 0xD1B54A32D192ED03L);
            for (int j = 0; j < inSize; j++) {
                int i = s * inSize + j;
                boolean keep = CounterRandom.uniform(sampleKey, j) > ratio;
                mask[i] = keep;
                out[i] = keep ? x[i] : 0f;
            }
        }
        return out;
    }

    @Override
    public float[] backward(float[] dout, int n) {
        if (!needInputGrad) {
            return null;
        }
        for (int i = 0, len = n * inSize; i < len; i++) {
            dx[i] = mask[i] ? dout[i] : 0f;
        }
        return dx;
    }
}

package dptrain.nn.layers;

import dptrain.nn.ForwardContext;

/**
 * Local response normalization across channels (Krizhevsky et al. 2012, AlexNet): at every position each value is
 * divided by a power of the summed squares of its neighbours in the channel dimension,
 * b_c = a_c / d_c^β with d_c = k + (α/n)·Σ a_{c'}² over the n channels c' ∈ [c − ⌊n/2⌋, c + ⌊(n−1)/2⌋] that exist.
 * α is divided by n as in PyTorch's LocalResponseNorm (the 2012 paper writes α alone: its α = this α/n).
 * Channels are the last dimension (n × H × W × C, channels last, as the convolutions leave them; a vector's units
 * count as channels). No parameters and no batch statistics: each sample is normalized on its own, in a fixed order
 * of float operations, so its output is the same bits whichever shard computes it.
 *
 * <p>Backward, exactly: ∂L/∂a_j = g_j·d_j^−β − (2αβ/n)·a_j·Σ_{c : j in c's window} g_c·b_c / d_c. AlexNet's β = 0.75
 * is computed as 1/(√d·√√d), correctly rounded square roots and fast; other β by StrictMath.pow.
 */
public final class LocalResponseNorm extends Layer {
    private final int channels;
    private final int positions;
    /** Channels the window reaches below and above its centre: ⌊n/2⌋ and ⌊(n−1)/2⌋. */
    private final int below;
    private final int above;
    private final float k;
    private final float alphaOverN;
    private final float beta;
    /** d_c and d_c^−β of the last forward, per value. */
    private final float[] den;
    private final float[] scale;
    /** One position's squares (forward) or g·b/d terms (backward). */
    private final float[] window;
    private float[] x;

    /** Builds the layer over {H, W, C} (or {units}) with window size n and the constants k, α, β. */
    public LocalResponseNorm(LayerSetup s, int size, float k, float alpha, float beta) {
        super(s, true);
        int[] shape = s.inShape();
        this.channels = shape[shape.length - 1];
        this.positions = inSize / channels;
        this.below = size / 2;
        this.above = (size - 1) / 2;
        this.k = k;
        this.alphaOverN = alpha / size;
        this.beta = beta;
        this.den = new float[maxBatch * inSize];
        this.scale = new float[maxBatch * inSize];
        this.window = new float[channels];
    }

    @Override
    public float[] forward(float[] x, int n, ForwardContext ctx) {
        this.x = x;
        int c = channels;
        for (int p = 0, rows = n * positions; p < rows; p++) {
            int base = p * c;
            for (int ch = 0; ch < c; ch++) {
                window[ch] = x[base + ch] * x[base + ch];
            }
            for (int ch = 0; ch < c; ch++) {
                float sum = 0f;
                for (int j = Math.max(0, ch - below), to = Math.min(c - 1, ch + above); j <= to; j++) {
                    sum += window[j];
                }
                float d = k + alphaOverN * sum;
                float sc = powMinusBeta(d);
                den[base + ch] = d;
                scale[base + ch] = sc;
                out[base + ch] = x[base + ch] * sc;
            }
        }
        return out;
    }

    /** d^−β: for β = 0.75 from square roots, which are correctly rounded everywhere. */
    private float powMinusBeta(float d) {
        if (beta == 0.75f) {
            float r = (float) Math.sqrt(d);
            return 1f / (r * (float) Math.sqrt(r));
        }
        return (float) StrictMath.pow(d, -beta);
    }

    @Override
    public float[] backward(float[] dout, int n) {
        if (!needInputGrad) {
            return null;
        }
        int c = channels;
        float coef = 2f * alphaOverN * beta;
        for (int p = 0, rows = n * positions; p < rows; p++) {
            int base = p * c;
            for (int ch = 0; ch < c; ch++) {
                window[ch] = dout[base + ch] * out[base + ch] / den[base + ch];
            }
            for (int j = 0; j < c; j++) {
                // The channels whose windows hold j: [j − above, j + below].
                float sum = 0f;
                for (int ch = Math.max(0, j - above), to = Math.min(c - 1, j + below); ch <= to; ch++) {
                    sum += window[ch];
                }
                dx[base + j] = dout[base + j] * scale[base + j] - coef * x[base + j] * sum;
            }
        }
        return dx;
    }
}

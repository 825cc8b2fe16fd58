package dptrain.nn.layers;

import dptrain.nn.ForwardContext;

/**
 * Batch normalization. For vectors each unit is normalized over the samples; for images (H×W×C, channels last)
 * each channel is normalized over samples and positions. Training uses the shard's own batch statistics and
 * reports them in the store's batch statistics (the parameter server folds them into the running averages);
 * inference uses the running averages. Parameters: gamma (C) then beta (C); state: running mean then variance.
 */
public final class BatchNorm extends Layer {
    /** Added to the variance before the square root. */
    public static final float EPS = 1e-7f;
    private final int channels;
    private final int spatial;
    private final float[] xn;
    private final float[] invStd;
    private final double[] acc;
    private final double[] acc2;

    /** Builds the layer over a shape of {units} or {H, W, C}. */
    public BatchNorm(LayerSetup s) {
        super(s, true);
        int[] shape = s.inShape();
        this.channels = shape[shape.length - 1];
        this.spatial = inSize / channels;
        this.xn = new float[maxBatch * inSize];
        this.invStd = new float[channels];
        this.acc = new double[channels];
        this.acc2 = new double[channels];
    }

    @Override
    public float[] forward(float[] x, int n, ForwardContext ctx) {
        int rows = n * spatial;
        int c = channels;
        float[] p = store.params;
        int gOff = paramOffset;
        int bOff = paramOffset + c;
        if (!ctx.train) {
            float[] st = store.state;
            for (int j = 0; j < c; j++) {
                invStd[j] = (float) (1.0 / Math.sqrt(st[stateOffset + c + j] + EPS));
            }
            for (int r = 0; r < rows; r++) {
                int base = r * c;
                for (int j = 0; j < c; j++) {
                    float v = (x[base + j] - st[stateOffset + j]) * invStd[j];
                    out[base + j] = p[gOff + j] * v + p[bOff + j];
                }
            }
            return out;
        }
        java.util.Arrays.fill(acc, 0.0);
        java.util.Arrays.fill(acc2, 0.0);
        for (int r = 0; r < rows; r++) {
            int base = r * c;
            for (int j = 0; j < c; j++) {
                acc[j] += x[base + j];
            }
        }
        for (int j = 0; j < c; j++) {
            acc[j] /= rows;
        }
        for (int r = 0; r < rows; r++) {
            int base = r * c;
            for (int j = 0; j < c; j++) {
                double d = x[base + j] - acc[j];
                acc2[j] += d * d;
            }
        }
        float[] bs = store.batchStats;
        for (int j = 0; j < c; j++) {
            double var = acc2[j] / rows;
            invStd[j] = (float) (1.0 / Math.sqrt(var + EPS));
            if (bs != null) {
                bs[stateOffset + j] = (float) acc[j];
                bs[stateOffset + c + j] = (float) var;
            }
        }
        for (int r = 0; r < rows; r++) {
            int base = r * c;
            for (int j = 0; j < c; j++) {
                float v = (float) (x[base + j] - acc[j]) * invStd[j];
                xn[base + j] = v;
                out[base + j] = p[gOff + j] * v + p[bOff + j];
            }
        }
        return out;
    }

    @Override
    public float[] backward(float[] dout, int n) {
        int rows = n * spatial;
        int c = channels;
        java.util.Arrays.fill(acc, 0.0);
        java.util.Arrays.fill(acc2, 0.0);
        for (int r = 0; r < rows; r++) {
            int base = r * c;
            for (int j = 0; j < c; j++) {
                float d = dout[base + j];
                acc[j] += d;
                acc2[j] += d * xn[base + j];
            }
        }
        float[] g = store.grads;
        for (int j = 0; j < c; j++) {
            g[paramOffset + j] = (float) acc2[j];
            g[paramOffset + c + j] = (float) acc[j];
        }
        if (!needInputGrad) {
            return null;
        }
        float[] p = store.params;
        for (int r = 0; r < rows; r++) {
            int base = r * c;
            for (int j = 0; j < c; j++) {
                double t = dout[base + j] - acc[j] / rows - xn[base + j] * acc2[j] / rows;
                dx[base + j] = (float) (p[paramOffset + j] * invStd[j] * t);
            }
        }
        return dx;
    }
}

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
    /**
     * One position's squares a² (forward, from index ⌊n/2⌋) or terms g·b/d (backward, from ⌊(n−1)/2⌋), with zeros
     * around them where a window runs past the channels; and the window sums. Summing n shifted copies of the row keeps
     * every loop free of bounds and vectorizable, and adds each window in channel order (the zeros change nothing).
     */
    private final float[] squares;
    private final float[] terms;
    private final float[] sums;
    private final int size;
    private float[] x;

    /** Builds the layer over {H, W, C} (or {units}) with window size n and the constants k, α, β. */
    public LocalResponseNorm(LayerSetup s, int size, float k, float alpha, float beta) {
        super(s, true);
        int[] shape = s.inShape();
        this.channels = shape[shape.length - 1];
        this.positions = inSize / channels;
        this.size = size;
        this.below = size / 2;
        this.above = (size - 1) / 2;
        this.k = k;
        this.alphaOverN = alpha / size;
        this.beta = beta;
        this.den = new float[maxBatch * inSize];
        this.scale = new float[maxBatch * inSize];
        this.squares = new float[channels + size - 1];
        this.terms = new float[channels + size - 1];
        this.sums = new float[channels];
    }

    @Override
    public float[] forward(float[] x, int n, ForwardContext ctx) {
        this.x = x;
        int c = channels;
        for (int p = 0, rows = n * positions; p < rows; p++) {
            int base = p * c;
            for (int ch = 0; ch < c; ch++) {
                squares[below + ch] = x[base + ch] * x[base + ch];
            }
            windowSums(squares);
            for (int ch = 0; ch < c; ch++) {
                den[base + ch] = k + alphaOverN * sums[ch];
            }
            if (beta == 0.75f) {
                for (int ch = 0; ch < c; ch++) {
                    // d^−0.75 = 1/(√d·√√d): correctly rounded square roots, the same bits everywhere.
                    float r = (float) Math.sqrt(den[base + ch]);
                    scale[base + ch] = 1f / (r * (float) Math.sqrt(r));
                }
            } else {
                for (int ch = 0; ch < c; ch++) {
                    scale[base + ch] = (float) StrictMath.pow(den[base + ch], -beta);
                }
            }
            for (int ch = 0; ch < c; ch++) {
                out[base + ch] = x[base + ch] * scale[base + ch];
            }
        }
        return out;
    }

    /** sums[ch] = padded[ch] + padded[ch + 1] + ... + padded[ch + n − 1]. */
    private void windowSums(float[] padded) {
        java.util.Arrays.fill(sums, 0f);
        for (int o = 0; o < size; o++) {
            for (int ch = 0; ch < channels; ch++) {
                sums[ch] += padded[ch + o];
            }
        }
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
                terms[above + ch] = dout[base + ch] * out[base + ch] / den[base + ch];
            }
            // The channels whose windows hold j are [j − ⌊(n−1)/2⌋, j + ⌊n/2⌋].
            windowSums(terms);
            for (int j = 0; j < c; j++) {
                dx[base + j] = dout[base + j] * scale[base + j] - coef * x[base + j] * sums[j];
            }
        }
        return dx;
    }
}

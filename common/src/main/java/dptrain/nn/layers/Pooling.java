package dptrain.nn.layers;

import dptrain.nn.ForwardContext;

/**
 * Max or average pooling over square windows of an n × H × W × C input (channels last). Max pooling remembers
 * the winning input of each output for the backward pass; average pooling divides by the in-image window size
 * over the full window (positions in the padding count as zeros). Every window holds at least one image position,
 * since the pad is smaller than the window.
 *
 * <p>A max pool can also apply the ReLU that follows it (relu(max) = max(relu), see {@code Network}): the output is
 * then max(window maximum, 0) and the gradient passes only where that is positive. For the book's 2×2 windows with
 * stride 2 this runs as one pass in the integers: for floats that are not NaN, the raw bits of the positive ones
 * order as the floats do and every negative one reads as a negative int, so max(0, bits...) is the bits of
 * relu(max), and the first maximum found with int compares is the first float maximum whenever it is positive.
 * HotSpot compiles the int selects branch-free, where float ones become jumps that mispredict on random signs. If a
 * NaN is among the inputs, the batch is pooled again by the general loop, which propagates it.
 */
public final class Pooling extends Layer {
    /** Raw bits of +infinity, and the mask of a float's magnitude bits: |v| bits above INF mean NaN. */
    private static final int INF = 0x7f800000;
    private static final int MAG = 0x7fffffff;

    private final boolean max;
    private final int h;
    private final int w;
    private final int c;
    private final int size;
    private final int stride;
    private final int pad;
    private final int oh;
    private final int ow;
    private final int[] argmax;
    private final boolean relu;

    /** Builds the layer for input {H, W, C}. */
    public Pooling(LayerSetup s, boolean max, int size, int stride, int pad) {
        this(s, max, size, stride, pad, false);
    }

    /** Builds the layer for input {H, W, C}; {@code reluAfter} (max pooling only) also applies the ReLU after it. */
    public Pooling(LayerSetup s, boolean max, int size, int stride, int pad, boolean reluAfter) {
        super(s, true);
        if (reluAfter && !max) {
            throw new IllegalArgumentException("only max pooling takes the ReLU after it");
        }
        this.relu = reluAfter;
        int[] in = s.inShape();
        this.max = max;
        this.h = in[0];
        this.w = in[1];
        this.c = in[2];
        this.size = size;
        this.stride = stride;
        this.pad = pad;
        this.oh = s.outShape()[0];
        this.ow = s.outShape()[1];
        this.argmax = max ? new int[maxBatch * outSize] : null;
    }

    @Override
    public float[] forward(float[] x, int n, ForwardContext ctx) {
        if (relu && size == 2 && stride == 2 && pad == 0 && maxPool2ReluWithoutNaN(x, n)) {
            return out;
        }
        pool(x, n);
        if (relu) {
            for (int i = 0, len = n * outSize; i < len; i++) {
                out[i] = Math.max(out[i], 0f);
            }
        }
        return out;
    }

    /** relu(max) over 2×2 windows with stride 2 in one pass (see the class comment); false if an input was NaN. */
    private boolean maxPool2ReluWithoutNaN(float[] x, int n) {
        int nan = 0; // sign bit set once an input's magnitude bits exceed infinity's
        int rowStep = w * c;
        for (int s = 0; s < n; s++) {
            int inBase = s * inSize;
            int o = s * outSize;
            for (int y = 0; y < oh; y++) {
                for (int xo = 0; xo < ow; xo++, o += c) {
                    int i0 = inBase + (2 * y * w + 2 * xo) * c;
                    int i1 = i0 + c;
                    int i2 = i0 + rowStep;
                    int i3 = i2 + c;
                    for (int ch = 0; ch < c; ch++) {
                        int a = Float.floatToRawIntBits(x[i0 + ch]);
                        int b = Float.floatToRawIntBits(x[i1 + ch]);
                        int d = Float.floatToRawIntBits(x[i2 + ch]);
                        int e = Float.floatToRawIntBits(x[i3 + ch]);
                        nan |= (INF - (a & MAG)) | (INF - (b & MAG)) | (INF - (d & MAG)) | (INF - (e & MAG));
                        int k = b > a ? i1 : i0;
                        int m = Math.max(a, b);
                        k = d > m ? i2 : k;
                        m = Math.max(m, d);
                        k = e > m ? i3 : k;
                        m = Math.max(m, e);
                        out[o + ch] = Float.intBitsToFloat(Math.max(m, 0));
                        argmax[o + ch] = k + ch;
                    }
                }
            }
        }
        return nan >= 0;
    }

    private void pool(float[] x, int n) {
        float inv = 1f / (size * size);
        for (int s = 0; s < n; s++) {
            int inBase = s * inSize;
            int outBase = s * outSize;
            for (int y = 0; y < oh; y++) {
                for (int xo = 0; xo < ow; xo++) {
                    int o = outBase + (y * ow + xo) * c;
                    boolean first = true;
                    for (int fy = 0; fy < size; fy++) {
                        int iy = y * stride - pad + fy;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        for (int fx = 0; fx < size; fx++) {
                            int ix = xo * stride - pad + fx;
                            if (ix < 0 || ix >= w) {
                                continue;
                            }
                            int i = inBase + (iy * w + ix) * c;
                            if (first) {
                                System.arraycopy(x, i, out, o, c);
                                if (max) {
                                    for (int ch = 0; ch < c; ch++) {
                                        argmax[o + ch] = i + ch;
                                    }
                                }
                                first = false;
                            } else if (max) {
                                // Channels innermost and contiguous; the winner's index moves by an int select.
                                for (int ch = 0; ch < c; ch++) {
                                    float v = x[i + ch];
                                    float best = out[o + ch];
                                    argmax[o + ch] = v > best ? i + ch : argmax[o + ch];
                                    out[o + ch] = Math.max(best, v);
                                }
                            } else {
                                for (int ch = 0; ch < c; ch++) {
                                    out[o + ch] += x[i + ch];
                                }
                            }
                        }
                    }
                    if (!max) {
                        for (int ch = 0; ch < c; ch++) {
                            out[o + ch] *= inv;
                        }
                    }
                }
            }
        }
    }

    @Override
    public float[] backward(float[] dout, int n) {
        if (!needInputGrad) {
            return null;
        }
        java.util.Arrays.fill(dx, 0, n * inSize, 0f);
        if (relu) {
            for (int i = 0, len = n * outSize; i < len; i++) {
                // As Relu's backward: all ones exactly where the output is positive.
                int keep = -Float.floatToRawIntBits(out[i]) >> 31;
                dx[argmax[i]] += Float.intBitsToFloat(Float.floatToRawIntBits(dout[i]) & keep);
            }
            return dx;
        }
        if (max) {
            for (int i = 0, len = n * outSize; i < len; i++) {
                int src = argmax[i];
                if (src >= 0) {
                    dx[src] += dout[i];
                }
            }
            return dx;
        }
        float inv = 1f / (size * size);
        for (int s = 0; s < n; s++) {
            int inBase = s * inSize;
            int outBase = s * outSize;
            for (int y = 0; y < oh; y++) {
                for (int xo = 0; xo < ow; xo++) {
                    int o = outBase + (y * ow + xo) * c;
                    for (int fy = 0; fy < size; fy++) {
                        int iy = y * stride - pad + fy;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        for (int fx = 0; fx < size; fx++) {
                            int ix = xo * stride - pad + fx;
                            if (ix < 0 || ix >= w) {
                                continue;
                            }
                            int i = inBase + (iy * w + ix) * c;
                            for (int ch = 0; ch < c; ch++) {
                                dx[i + ch] += dout[o + ch] * inv;
                            }
                        }
                    }
                }
            }
        }
        return dx;
    }
}

package dptrain.nn.layers;

import dptrain.nn.ForwardContext;

/**
 * Max or average pooling over square windows of an n × H × W × C input (channels last). Max pooling remembers
 * the winning input of each output for the backward pass; average pooling divides by the in-image window size
 * over the full window (positions in the padding count as zeros). Every window holds at least one image position,
 * since the pad is smaller than the window.
 */
public final class Pooling extends Layer {
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

    /** Builds the layer for input {H, W, C}. */
    public Pooling(LayerSetup s, boolean max, int size, int stride, int pad) {
        super(s, true);
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
        return out;
    }

    @Override
    public float[] backward(float[] dout, int n) {
        if (!needInputGrad) {
            return null;
        }
        java.util.Arrays.fill(dx, 0, n * inSize, 0f);
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

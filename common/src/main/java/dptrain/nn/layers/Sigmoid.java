package dptrain.nn.layers;

import dptrain.nn.ForwardContext;

/** Sigmoid: out = 1 / (1 + e^-x); dx = dout·out·(1 − out). */
public final class Sigmoid extends Layer {
    /** Builds the layer. */
    public Sigmoid(LayerSetup s) {
        super(s, true);
    }

    @Override
    public float[] forward(float[] x, int n, ForwardContext ctx) {
        int len = n * inSize;
        for (int i = 0; i < len; i++) {
            out[i] = (float) (1.0 / (1.0 + StrictMath.exp(-x[i])));
        }
        return out;
    }

    @Override
    public float[] backward(float[] dout, int n) {
        if (!needInputGrad) {
            return null;
        }
        int len = n * inSize;
        for (int i = 0; i < len; i++) {
            float y = out[i];
            dx[i] = dout[i] * y * (1f - y);
        }
        return dx;
    }
}

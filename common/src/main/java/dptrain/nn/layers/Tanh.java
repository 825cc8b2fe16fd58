package dptrain.nn.layers;

import dptrain.nn.ForwardContext;

/** Hyperbolic tangent: out = tanh(x); dx = dout·(1 − out²). */
public final class Tanh extends Layer {
    /** Builds the layer. */
    public Tanh(LayerSetup s) {
        super(s, true);
    }

    @Override
    public float[] forward(float[] x, int n, ForwardContext ctx) {
        int len = n * inSize;
        for (int i = 0; i < len; i++) {
            out[i] = (float) StrictMath.tanh(x[i]);
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
            dx[i] = dout[i] * (1f - y * y);
        }
        return dx;
    }
}

package dptrain.nn.layers;

import dptrain.nn.ForwardContext;

/** ReLU: out = max(0, x); the gradient passes where the output is positive. */
public final class Relu extends Layer {
    /** Builds the layer. */
    public Relu(LayerSetup s) {
        super(s, true);
    }

    @Override
    public float[] forward(float[] x, int n, ForwardContext ctx) {
        int len = n * inSize;
        for (int i = 0; i < len; i++) {
            float v = x[i];
            out[i] = v > 0f ? v : 0f;
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
            dx[i] = out[i] > 0f ? dout[i] : 0f;
        }
        return dx;
    }
}

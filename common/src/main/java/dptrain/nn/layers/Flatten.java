package dptrain.nn.layers;

import dptrain.nn.ForwardContext;

/** Reshapes each sample to a vector; the data are already flat, so both passes hand their input on. */
public final class Flatten extends Layer {
    /** Builds the layer. */
    public Flatten(LayerSetup s) {
        super(s, false);
    }

    @Override
    public float[] forward(float[] x, int n, ForwardContext ctx) {
        return x;
    }

    @Override
    public float[] backward(float[] dout, int n) {
        return needInputGrad ? dout : null;
    }
}

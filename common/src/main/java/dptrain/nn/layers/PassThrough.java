package dptrain.nn.layers;

import dptrain.nn.ForwardContext;

/** A layer whose passes hand their input on unchanged (no buffers of its own). */
abstract class PassThrough extends Layer {
    PassThrough(LayerSetup s) {
        super(s, false);
    }

    @Override
    public final float[] forward(float[] x, int n, ForwardContext ctx) {
        return x;
    }

    @Override
    public final float[] backward(float[] dout, int n) {
        return needInputGrad ? dout : null;
    }
}

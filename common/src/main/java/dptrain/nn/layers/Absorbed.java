package dptrain.nn.layers;

import dptrain.nn.ForwardContext;

/**
 * Stands in for a layer whose work the layer before it does (a ReLU that a max pool applies, see {@link Pooling}):
 * values and gradients pass through, so the network keeps one layer per spec entry and its parameter offsets.
 */
public final class Absorbed extends Layer {
    private final String what;

    /** Builds the stand-in for the named layer. */
    public Absorbed(LayerSetup s, String what) {
        super(s, false);
        this.what = what;
    }

    /** The layer this one stands in for. */
    public String absorbs() {
        return what;
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

package dptrain.nn.layers;

/**
 * Stands in for a layer whose work the layer before it does (a ReLU that a max pool applies, see {@link Pooling}):
 * values and gradients pass through, so the network keeps one layer per spec entry and its parameter offsets.
 */
public final class Absorbed extends PassThrough {
    /** Builds the stand-in. */
    public Absorbed(LayerSetup s) {
        super(s);
    }
}

package dptrain.nn.layers;

/** Reshapes each sample to a vector; the data are already flat, so both passes hand their input on. */
public final class Flatten extends PassThrough {
    /** Builds the layer. */
    public Flatten(LayerSetup s) {
        super(s);
    }
}

package dptrain.nn.layers;

import dptrain.nn.ParamStore;

/** Everything a layer instance is built from: shapes, batch capacity, and its place in the flat buffers. */
public record LayerSetup(int[] inShape, int[] outShape, int maxBatch, ParamStore store,
                         int paramOffset, int stateOffset, boolean needInputGrad) {
    /** Product of the input shape. */
    public int inSize() {
        return product(inShape);
    }

    /** Product of the output shape. */
    public int outSize() {
        return product(outShape);
    }

    /** Number of values in a shape (the product of its dimensions). */
    public static int product(int[] shape) {
        int p = 1;
        for (int d : shape) {
            p *= d;
        }
        return p;
    }
}

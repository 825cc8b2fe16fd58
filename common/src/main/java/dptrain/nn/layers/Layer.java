package dptrain.nn.layers;

import dptrain.nn.ForwardContext;
import dptrain.nn.ParamStore;

/**
 * One layer of one replica: {@code forward} keeps what {@code backward} needs, {@code backward} writes the
 * gradients of its parameters (sums over the shard) into the store and returns the gradient of its input.
 * Buffers are allocated once for the largest batch the replica will see and reused on every call.
 */
public abstract class Layer {
    /** Per-sample input and output sizes (products of the shapes). */
    protected final int inSize;
    protected final int outSize;
    /** Largest number of samples in one call. */
    protected final int maxBatch;
    /** Where parameters, gradients and state live, and this layer's offsets into them. */
    protected final ParamStore store;
    protected final int paramOffset;
    protected final int stateOffset;
    /** False for the first layer: its input gradient is not needed and is not computed. */
    protected final boolean needInputGrad;
    /** Output buffer, maxBatch × outSize. */
    protected final float[] out;
    /** Input-gradient buffer, maxBatch × inSize (null when not needed). */
    protected final float[] dx;

    /** A layer with its buffers; {@code allocOut=false} for layers that pass their input through. */
    protected Layer(LayerSetup s, boolean allocOut) {
        this.inSize = s.inSize();
        this.outSize = s.outSize();
        this.maxBatch = s.maxBatch();
        this.store = s.store();
        this.paramOffset = s.paramOffset();
        this.stateOffset = s.stateOffset();
        this.needInputGrad = s.needInputGrad();
        this.out = allocOut ? new float[maxBatch * outSize] : null;
        this.dx = allocOut && needInputGrad ? new float[maxBatch * inSize] : null;
    }

    /** Where this layer's parameters start in the flat vector. */
    public int paramOffset() {
        return paramOffset;
    }

    /** Computes the output for n samples of x (n × inSize) and returns it (n × outSize, valid until the next call). */
    public abstract float[] forward(float[] x, int n, ForwardContext ctx);

    /** Given dL/dout for the n samples of the last forward, stores parameter gradients and returns dL/dx (or null). */
    public abstract float[] backward(float[] dout, int n);
}

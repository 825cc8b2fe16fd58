package dptrain.nn.layers;

import dptrain.nn.ForwardContext;
import dptrain.tensor.Blas;

/** Fully connected layer: out = x·W + b, with x flattened to n × in; W (in × out) then b (out) in the store. */
public final class Affine extends Layer {
    private final int wOff;
    private final int bOff;
    private float[] x;

    /** Builds the layer; parameters W then b start at the setup's parameter offset. */
    public Affine(LayerSetup s) {
        super(s, true);
        this.wOff = s.paramOffset();
        this.bOff = wOff + inSize * outSize;
    }

    @Override
    public float[] forward(float[] x, int n, ForwardContext ctx) {
        this.x = x;
        float[] p = store.params;
        Kernels.fillRows(out, n, outSize, p, bOff);
        Blas.gemm(false, false, n, outSize, inSize, 1f, x, 0, inSize, p, wOff, outSize, 1f, out, 0, outSize);
        return out;
    }

    @Override
    public float[] backward(float[] dout, int n) {
        float[] g = store.grads;
        // dW = xᵀ·dout (in × out), db = column sums of dout: sums over the shard's samples.
        Blas.gemm(true, false, inSize, outSize, n, 1f, x, 0, inSize, dout, 0, outSize, 0f, g, wOff, outSize);
        Kernels.columnSums(dout, n, outSize, g, bOff);
        if (!needInputGrad) {
            return null;
        }
        Blas.gemm(false, true, n, inSize, outSize, 1f, dout, 0, outSize, store.params, wOff, outSize, 0f, dx, 0, inSize);
        return dx;
    }
}

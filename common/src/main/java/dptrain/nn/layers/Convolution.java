package dptrain.nn.layers;

import dptrain.nn.ForwardContext;
import dptrain.tensor.Blas;
import dptrain.tensor.Im2Col;

/**
 * Convolution through im2col: the input (n × H × W × C, channels last) is unrolled into one row per output
 * position (FH·FW·C columns), so the whole shard is one matrix product with the filters W (FN × FH·FW·C),
 * and the output comes out channels last (n × OH × OW × FN) with no transpose. Parameters: W then b (FN).
 */
public final class Convolution extends Layer {
    private final Im2Col geom;
    private final int filters;
    private final int patch;
    private final int wOff;
    private final int bOff;
    private final float[] col;
    private final float[] dcol;

    /** Builds the layer for input {H, W, C} with the given filter count, square filter size, stride and pad. */
    public Convolution(LayerSetup s, int filters, int size, int stride, int pad) {
        super(s, true);
        int[] in = s.inShape();
        this.geom = new Im2Col(in[0], in[1], in[2], size, size, stride, pad);
        this.filters = filters;
        this.patch = geom.patchSize();
        this.wOff = s.paramOffset();
        this.bOff = wOff + filters * patch;
        int rows = maxBatch * geom.outPositions();
        this.col = new float[rows * patch];
        this.dcol = needInputGrad ? new float[rows * patch] : null;
    }

    @Override
    public float[] forward(float[] x, int n, ForwardContext ctx) {
        int rows = n * geom.outPositions();
        geom.im2col(x, n, col);
        float[] p = store.params;
        Kernels.fillRows(out, rows, filters, p, bOff);
        Blas.gemm(false, true, rows, filters, patch, 1f, col, 0, patch, p, wOff, patch, 1f, out, 0, filters);
        return out;
    }

    @Override
    public float[] backward(float[] dout, int n) {
        int rows = n * geom.outPositions();
        float[] g = store.grads;
        // dW (FN × patch) = doutᵀ · col; db = column sums of dout.
        Blas.gemm(true, false, filters, patch, rows, 1f, dout, 0, filters, col, 0, patch, 0f, g, wOff, patch);
        Kernels.columnSums(dout, rows, filters, g, bOff);
        if (!needInputGrad) {
            return null;
        }
        Blas.gemm(false, false, rows, patch, filters, 1f, dout, 0, filters, store.params, wOff, patch, 0f, dcol, 0, patch);
        geom.col2im(dcol, n, dx);
        return dx;
    }
}

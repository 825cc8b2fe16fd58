package dptrain.nn.layers;

import dptrain.nn.ForwardContext;
import dptrain.tensor.Blas;
import dptrain.tensor.Im2Col;

/**
 * Convolution through im2col: the input (n × H × W × C, channels last) is unrolled into one row per output
 * position (FH·FW·C columns), so the whole shard is one matrix product with the filters W (FN × FH·FW·C),
 * and the output comes out channels last (n × OH × OW × FN) with no transpose. Parameters: W then b (FN).
 *
 * <p>Each column-matrix row ends in a 1, and the product takes the filters with their bias as one more column
 * ([W | b], copied per call, FN·(patch+1) floats): the bias is then a term of the product, and its gradient (the
 * column sums of dout) comes out of the weight-gradient product as that column: two passes over the n·OH·OW × FN
 * output fewer (filling it with the bias first and summing its columns after), for a product 1/patch wider.
 * scripts/bench/probes/ConvPartsBench.java times the passes removed; scripts/bench/ab-shard.sh the whole effect.
 */
public final class Convolution extends Layer {
    private final Im2Col geom;
    private final int filters;
    private final int patch;
    /** Row stride of col and of the [W | b] copies: patch + 1. */
    private final int ld;
    private final int wOff;
    private final int bOff;
    private final float[] col;
    private final float[] dcol;
    private final float[] wb;
    private final float[] dwb;

    /** Builds the layer for input {H, W, C} with the given filter count, square filter size, stride and pad. */
    public Convolution(LayerSetup s, int filters, int size, int stride, int pad) {
        super(s, true);
        int[] in = s.inShape();
        this.geom = new Im2Col(in[0], in[1], in[2], size, size, stride, pad);
        this.filters = filters;
        this.patch = geom.patchSize();
        this.ld = patch + 1;
        this.wOff = s.paramOffset();
        this.bOff = wOff + filters * patch;
        int rows = maxBatch * geom.outPositions();
        this.col = new float[rows * ld];
        for (int r = 0; r < rows; r++) {
            col[r * ld + patch] = 1f; // im2col never writes past the patch
        }
        this.dcol = needInputGrad ? new float[rows * patch] : null;
        this.wb = new float[filters * ld];
        this.dwb = new float[filters * ld];
    }

    @Override
    public float[] forward(float[] x, int n, ForwardContext ctx) {
        int rows = n * geom.outPositions();
        geom.im2col(x, n, col, ld);
        float[] p = store.params;
        for (int f = 0; f < filters; f++) {
            System.arraycopy(p, wOff + f * patch, wb, f * ld, patch);
            wb[f * ld + patch] = p[bOff + f];
        }
        Blas.gemm(false, true, rows, filters, ld, 1f, col, 0, ld, wb, 0, ld, 0f, out, 0, filters);
        return out;
    }

    @Override
    public float[] backward(float[] dout, int n) {
        int rows = n * geom.outPositions();
        float[] g = store.grads;
        // [dW | db] (FN × patch+1) = doutᵀ · col: the last column is the column sums of dout.
        Blas.gemm(true, false, filters, ld, rows, 1f, dout, 0, filters, col, 0, ld, 0f, dwb, 0, ld);
        for (int f = 0; f < filters; f++) {
            System.arraycopy(dwb, f * ld, g, wOff + f * patch, patch);
            g[bOff + f] = dwb[f * ld + patch];
        }
        if (!needInputGrad) {
            return null;
        }
        Blas.gemm(false, false, rows, patch, filters, 1f, dout, 0, filters, store.params, wOff, patch, 0f, dcol, 0, patch);
        geom.col2im(dcol, n, dx);
        return dx;
    }
}

package dptrain.tensor;

/**
 * im2col and col2im for channels-last images (n × H × W × C). A column matrix has one row per output
 * position (n·OH·OW rows) and FH·FW·C columns, ordered (fh, fw, c); within a filter row the FW·C inputs are
 * contiguous in memory, so each is copied as one run. When those runs are short (a first layer on 1-channel
 * images: 5 floats), im2col fills the rows of one output row of the image tap by tap instead: a long loop of
 * strided stores into a block that stays in L1. Timed alone the two forms are about even
 * (scripts/bench/probes/ConvPartsBench.java); in a SimpleConvNet shard the tap form is ~3 % faster
 * (scripts/bench/ab-shard.sh, benchmarks-history.md).
 */
public final class Im2Col {
    private final int h;
    private final int w;
    private final int c;
    private final int fh;
    private final int fw;
    private final int stride;
    private final int pad;
    private final int oh;
    private final int ow;
    /** Per filter column kx: the output columns [insideFrom, insideTo) that read inside the image. */
    private final int[] insideFrom;
    private final int[] insideTo;

    /** Geometry of one convolution. */
    public Im2Col(int h, int w, int c, int fh, int fw, int stride, int pad) {
        this.h = h;
        this.w = w;
        this.c = c;
        this.fh = fh;
        this.fw = fw;
        this.stride = stride;
        this.pad = pad;
        this.oh = outSize(h, fh, stride, pad);
        this.ow = outSize(w, fw, stride, pad);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("filter " + fh + "x" + fw + " with stride " + stride + " and pad " + pad
                    + " does not fit an input of " + h + "x" + w);
        }
        this.insideFrom = new int[fw];
        this.insideTo = new int[fw];
        for (int kx = 0; kx < fw; kx++) {
            // Output columns whose input column xo·stride − pad + kx lies inside the image: [from, to).
            insideFrom[kx] = Math.min(ow, Math.max(0, Math.floorDiv(pad - kx + stride - 1, stride)));
            insideTo[kx] = Math.max(insideFrom[kx], Math.min(ow, Math.floorDiv(w - 1 + pad - kx, stride) + 1));
        }
    }

    /** Output length along one axis: (in + 2·pad − filter) / stride + 1. */
    public static int outSize(int in, int filter, int stride, int pad) {
        return Math.floorDiv(in + 2 * pad - filter, stride) + 1;
    }

    /** Output positions per sample (OH·OW). */
    public int outPositions() {
        return oh * ow;
    }

    /** Output height. */
    public int outHeight() {
        return oh;
    }

    /** Output width. */
    public int outWidth() {
        return ow;
    }

    /** Columns of the column matrix (FH·FW·C). */
    public int patchSize() {
        return fh * fw * c;
    }

    /** Unrolls n images of x into col ((n·OH·OW) × FH·FW·C); positions outside the image read as zero. */
    public void im2col(float[] x, int n, float[] col) {
        im2col(x, n, col, patchSize());
    }

    /**
     * As {@link #im2col(float[], int, float[])} into rows of {@code ld} ≥ FH·FW·C floats; the columns past the
     * patch are left as they are (a column of ones kept there turns a bias into one more column of the product).
     */
    public void im2col(float[] x, int n, float[] col, int ld) {
        checkRowStride(ld);
        if (fw * c < SHORT_RUN) {
            im2colByTap(x, n, col, ld);
        } else {
            im2colByRun(x, n, col, ld);
        }
    }

    /**
     * The same values in the same places, one copy per filter row: the form {@link #im2col(float[], int, float[],
     * int)} takes for rows of at least 16 floats, public so that benchmarks can time it on short rows too.
     */
    public void im2colByRun(float[] x, int n, float[] col, int ld) {
        checkRowStride(ld);
        int run = fw * c;
        int r = 0;
        for (int s = 0; s < n; s++) {
            int inBase = s * h * w * c;
            for (int y = 0; y < oh; y++) {
                for (int xo = 0; xo < ow; xo++, r++) {
                    int dst = r * ld;
                    int ix0 = xo * stride - pad;
                    int lo = Math.max(0, -ix0);
                    int hi = Math.min(fw, w - ix0);
                    for (int ky = 0; ky < fh; ky++, dst += run) {
                        int iy = y * stride - pad + ky;
                        if (iy < 0 || iy >= h || lo >= hi) {
                            java.util.Arrays.fill(col, dst, dst + run, 0f);
                            continue;
                        }
                        if (lo > 0) {
                            java.util.Arrays.fill(col, dst, dst + lo * c, 0f);
                        }
                        copy(x, inBase + (iy * w + ix0 + lo) * c, col, dst + lo * c, (hi - lo) * c);
                        if (hi < fw) {
                            java.util.Arrays.fill(col, dst + hi * c, dst + run, 0f);
                        }
                    }
                }
            }
        }
    }

    private void checkRowStride(int ld) {
        if (ld < patchSize()) {
            throw new IllegalArgumentException("row stride " + ld + " is shorter than the patch " + patchSize());
        }
    }

    /** Filter-row runs shorter than this (FW·C floats) are gathered tap by tap. */
    private static final int SHORT_RUN = 16;

    /**
     * im2col one output row of one image at a time (ow column-matrix rows, an L1-sized block): for each tap
     * (fh, fw, c), the ow values it takes along the output row go to one column of the block. The same values
     * land in the same places as the run-by-run copy.
     */
    private void im2colByTap(float[] x, int n, float[] col, int ld) {
        int step = stride * c;
        int r = 0;
        for (int s = 0; s < n; s++) {
            int inBase = s * h * w * c;
            for (int y = 0; y < oh; y++, r += ow) {
                int block = r * ld;
                for (int ky = 0; ky < fh; ky++) {
                    int iy = y * stride - pad + ky;
                    boolean rowInside = iy >= 0 && iy < h;
                    for (int kx = 0; kx < fw; kx++) {
                        int lo = rowInside ? insideFrom[kx] : ow;
                        int hi = rowInside ? insideTo[kx] : ow;
                        for (int ch = 0; ch < c; ch++) {
                            int k = block + (ky * fw + kx) * c + ch;
                            for (int xo = 0; xo < lo; xo++) {
                                col[k + xo * ld] = 0f;
                            }
                            // Input column lo·stride − pad + kx onwards, one step of stride·c floats per output.
                            int src = inBase + (iy * w + lo * stride - pad + kx) * c + ch;
                            for (int xo = lo, d = k + lo * ld; xo < hi; xo++, src += step, d += ld) {
                                col[d] = x[src];
                            }
                            for (int xo = hi; xo < ow; xo++) {
                                col[k + xo * ld] = 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /** Copies len floats; a plain loop for the short runs of small filters, where arraycopy's call costs more. */
    private static void copy(float[] src, int from, float[] dst, int to, int len) {
        if (len >= 32) {
            System.arraycopy(src, from, dst, to, len);
        } else {
            for (int i = 0; i < len; i++) {
                dst[to + i] = src[from + i];
            }
        }
    }

    /** Adds the column matrix back onto n images (the adjoint of im2col), overwriting dx. */
    public void col2im(float[] col, int n, float[] dx) {
        int patch = patchSize();
        int run = fw * c;
        java.util.Arrays.fill(dx, 0, n * h * w * c, 0f);
        int r = 0;
        for (int s = 0; s < n; s++) {
            int inBase = s * h * w * c;
            for (int y = 0; y < oh; y++) {
                for (int xo = 0; xo < ow; xo++, r++) {
                    int src = r * patch;
                    int ix0 = xo * stride - pad;
                    int lo = Math.max(0, -ix0);
                    int hi = Math.min(fw, w - ix0);
                    for (int ky = 0; ky < fh; ky++, src += run) {
                        int iy = y * stride - pad + ky;
                        if (iy < 0 || iy >= h || lo >= hi) {
                            continue;
                        }
                        int d = inBase + (iy * w + ix0 + lo) * c;
                        int from = src + lo * c;
                        for (int i = 0, len = (hi - lo) * c; i < len; i++) {
                            dx[d + i] += col[from + i];
                        }
                    }
                }
            }
        }
    }
}

package dptrain.nn.layers;

/** Small loops shared by several layers. */
final class Kernels {
    private Kernels() {}

    /** Sets each of the first rows of m (rows × cols) to src[off..off+cols): the bias before a matrix product. */
    static void fillRows(float[] m, int rows, int cols, float[] src, int off) {
        int total = rows * cols;
        if (total == 0) {
            return;
        }
        // One row, then copies of what is filled so far (doubling): a few memcpy calls instead of a loop whose
        // trip count (cols, 30 for SimpleConvNet's convolution) is too short for the JIT to vectorize.
        System.arraycopy(src, off, m, 0, cols);
        for (int filled = cols; filled < total; filled += Math.min(filled, total - filled)) {
            System.arraycopy(m, 0, m, filled, Math.min(filled, total - filled));
        }
    }

    /** dst[off + j] = Σ_i m[i·cols + j] over the first rows of m, summed in row order. */
    static void columnSums(float[] m, int rows, int cols, float[] dst, int off) {
        java.util.Arrays.fill(dst, off, off + cols, 0f);
        for (int i = 0; i < rows; i++) {
            int base = i * cols;
            for (int j = 0; j < cols; j++) {
                dst[off + j] += m[base + j];
            }
        }
    }
}

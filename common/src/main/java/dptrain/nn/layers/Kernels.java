package dptrain.nn.layers;

/** Small loops shared by several layers. */
final class Kernels {
    private Kernels() {}

    /** Sets each of the first rows of m (rows × cols) to src[off..off+cols): the bias before a matrix product. */
    static void fillRows(float[] m, int rows, int cols, float[] src, int off) {
        for (int i = 0; i < rows; i++) {
            int base = i * cols;
            for (int j = 0; j < cols; j++) {
                m[base + j] = src[off + j];
            }
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

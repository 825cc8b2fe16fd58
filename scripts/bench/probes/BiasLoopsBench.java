import java.util.Random;

/**
 * The bias loops of a layer, on SimpleConvNet's convolution output (28 800 rows = 50 samples x 24 x 24, 30 filters),
 * in one JVM, alternating: the bias fill before the matrix product as the row-by-row loop Kernels.fillRows had
 * before commit 33c5141 against the one-row-then-doubling System.arraycopy it has since; and the bias gradient's
 * column sums as Kernels.columnSums does them against a 32-wide padded accumulator (tried, not adopted). Checks that
 * each pair gives the same bits. Frozen copies, so the comparison can be re-run after the library changes.
 *
 *   java scripts/bench/probes/BiasLoopsBench.java [rounds]
 */
public final class BiasLoopsBench {
    static final int ROWS = 28_800;
    static final int COLS = 30;
    static final int REPS = 300;

    static void fillLoop(float[] m, int rows, int cols, float[] src) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                m[i * cols + j] = src[j];
            }
        }
    }

    static void fillDoubling(float[] m, int rows, int cols, float[] src) {
        int total = rows * cols;
        System.arraycopy(src, 0, m, 0, cols);
        for (int filled = cols; filled < total; filled += Math.min(filled, total - filled)) {
            System.arraycopy(m, 0, m, filled, Math.min(filled, total - filled));
        }
    }

    static void sumsPlain(float[] m, int rows, int cols, float[] dst) {
        java.util.Arrays.fill(dst, 0, cols, 0f);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                dst[j] += m[i * cols + j];
            }
        }
    }

    static void sumsPadded(float[] m, int rows, int cols, float[] dst) {
        float[] acc = new float[32];
        int i = 0;
        for (; i < rows && (long) i * cols + 32 <= m.length; i++) {
            for (int j = 0; j < 32; j++) {
                acc[j] += m[i * cols + j]; // lanes past cols take the next row's values and are dropped
            }
        }
        for (; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                acc[j] += m[i * cols + j];
            }
        }
        System.arraycopy(acc, 0, dst, 0, cols);
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        float[] src = new float[COLS];
        float[] m = new float[ROWS * COLS];
        float[] m2 = new float[ROWS * COLS];
        float[] m3 = new float[ROWS * COLS];
        Random r = new Random(1);
        for (int j = 0; j < COLS; j++) {
            src[j] = (float) r.nextGaussian();
        }
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) r.nextGaussian();
        }
        float[] d1 = new float[COLS];
        float[] d2 = new float[COLS];
        System.out.printf("per call, %d x %d, median of %d rounds of %d calls each after one warm-up round%n",
                ROWS, COLS, rounds, REPS);
        double[][] t = new double[4][rounds];
        for (int k = -1; k < rounds; k++) {
            double[] x = new double[4];
            long t0 = System.nanoTime();
            for (int i = 0; i < REPS; i++) {
                sumsPlain(m, ROWS, COLS, d1);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < REPS; i++) {
                sumsPadded(m, ROWS, COLS, d2);
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < REPS; i++) {
                fillLoop(m2, ROWS, COLS, src);
            }
            long t3 = System.nanoTime();
            long t4 = System.nanoTime();
            for (int i = 0; i < REPS; i++) {
                fillDoubling(m3, ROWS, COLS, src);
            }
            long t5 = System.nanoTime();
            for (int j = 0; j < COLS; j++) {
                if (Float.floatToRawIntBits(d1[j]) != Float.floatToRawIntBits(d2[j])) {
                    throw new IllegalStateException("column sums differ at " + j);
                }
            }
            if (!java.util.Arrays.equals(m2, m3)) {
                throw new IllegalStateException("fills differ");
            }
            if (k >= 0) {
                t[0][k] = (t1 - t0) / (REPS * 1e6);
                t[1][k] = (t2 - t1) / (REPS * 1e6);
                t[2][k] = (t3 - t2) / (REPS * 1e6);
                t[3][k] = (t5 - t4) / (REPS * 1e6);
            }
        }
        String[] names = {"column sums, plain loop", "column sums, 32-wide padded", "bias fill, row loop (before)",
                "bias fill, doubling copy (now)"};
        for (int i = 0; i < 4; i++) {
            java.util.Arrays.sort(t[i]);
            System.out.printf("%-32s %.3f ms%n", names[i], t[i][rounds / 2]);
        }
    }
}

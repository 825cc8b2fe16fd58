import dptrain.tensor.Blas;
import dptrain.tensor.Im2Col;
import java.util.Locale;
import java.util.Random;

/**
 * The parts of SimpleConvNet's convolution for one 50-sample shard (28 800 output positions, 30 filters, 5×5 patch),
 * on the calling thread: the library's im2col (tap by tap, into rows of 26 with the column of ones) against its
 * run-by-run form (Im2Col.im2colByRun), which it replaced for short rows in cca793f; the forward product (K = 26)
 * and the weight-gradient product (30 × 26 × 28 800); and frozen copies of the bias fill and column sums that the column of ones removed.
 * Checks that both im2col forms give the same patch values. Medians over rounds, ms per shard.
 *
 *   java -cp "coordinator/target/dptrain-coordinator.jar:coordinator/target/lib/*" scripts/bench/probes/ConvPartsBench.java [rounds]
 */
public final class ConvPartsBench {
    static final int N = 50, H = 28, W = 28, F = 30, K = 5, OW = 24, P = K * K, LD = P + 1, R = N * OW * OW;

    static void fillRows(float[] m, float[] src) {
        int total = R * F;
        System.arraycopy(src, 0, m, 0, F);
        for (int filled = F; filled < total; filled += Math.min(filled, total - filled)) {
            System.arraycopy(m, 0, m, filled, Math.min(filled, total - filled));
        }
    }

    static void columnSums(float[] m, float[] dst) {
        java.util.Arrays.fill(dst, 0f);
        for (int i = 0; i < R; i++) {
            for (int j = 0; j < F; j++) {
                dst[j] += m[i * F + j];
            }
        }
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int reps = 100;
        Random rnd = new Random(1);
        float[] x = new float[N * H * W];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextFloat() < 0.2f ? rnd.nextFloat() : 0f;
        }
        float[] wb = new float[F * LD];
        for (int i = 0; i < wb.length; i++) {
            wb[i] = (float) rnd.nextGaussian() * 0.01f;
        }
        Im2Col geom = new Im2Col(H, W, 1, K, K, 1, 0);
        float[] col = new float[R * LD];
        float[] old = new float[R * LD];
        float[] out = new float[R * F];
        float[] dwb = new float[F * LD];
        float[] bias = new float[F];
        String[] names = {"im2col, library (tap by tap)", "im2col, run by run (before)", "forward product, K = 26",
            "weight-gradient product", "bias fill (removed)", "bias column sums (removed)"};
        double[][] ms = new double[names.length][rounds];
        for (int round = 0; round <= rounds; round++) {
            double[] t = new double[names.length];
            for (int part = 0; part < names.length; part++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) {
                    switch (part) {
                        case 0 -> geom.im2col(x, N, col, LD);
                        case 1 -> geom.im2colByRun(x, N, old, LD);
                        case 2 -> Blas.gemm(false, true, R, F, LD, 1f, col, 0, LD, wb, 0, LD, 0f, out, 0, F);
                        case 3 -> Blas.gemm(true, false, F, LD, R, 1f, out, 0, F, col, 0, LD, 0f, dwb, 0, LD);
                        case 4 -> fillRows(out, bias);
                        default -> columnSums(out, bias);
                    }
                }
                t[part] = (System.nanoTime() - t0) / 1e6 / reps;
            }
            if (round > 0) { // round 0 warms up
                for (int part = 0; part < names.length; part++) {
                    ms[part][round - 1] = t[part];
                }
            }
        }
        for (int r = 0; r < R; r++) {
            for (int j = 0; j < P; j++) {
                if (col[r * LD + j] != old[r * LD + j]) {
                    throw new AssertionError("im2col forms differ at row " + r + ", column " + j);
                }
            }
        }
        System.out.println("SimpleConvNet convolution, 50 samples, 1 thread, BLAS " + Blas.description());
        for (int part = 0; part < names.length; part++) {
            java.util.Arrays.sort(ms[part]);
            System.out.printf(Locale.ROOT, "  %-30s %7.3f ms (median of %d rounds, min %.3f)%n", names[part],
                    ms[part][rounds / 2], rounds, ms[part][0]);
        }
    }
}

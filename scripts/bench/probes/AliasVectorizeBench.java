import java.util.Locale;

/**
 * Why a plain-Java direct convolution was dropped (session 5): HotSpot 17's auto-vectorizer gives up on a loop that
 * stores to one float array and loads from another at a different offset, since it cannot rule out that they are the
 * same array. The same saxpy over 672 floats (a 24 × 28 output plane), 37 500 times (25.2 M multiply-adds, one
 * SimpleConvNet shard's first layer), with the load at offset 0 and at offset 3. Pass -XX:-UseSuperWord to see the
 * scalar speed of both.
 *
 *   java scripts/bench/probes/AliasVectorizeBench.java [rounds]
 */
public final class AliasVectorizeBench {
    static void sameOffset(float[] p, float[] x, float w, int n) {
        for (int i = 0; i < n; i++) {
            p[i] += w * x[i];
        }
    }

    static void shifted(float[] p, float[] x, float w, int n) {
        for (int i = 0; i < n; i++) {
            p[i] += w * x[i + 3];
        }
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        float[] p = new float[672];
        float[] x = new float[700];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (int k = 0; k < 37_500; k++) {
                sameOffset(p, x, 0.5f, 672);
            }
            long t1 = System.nanoTime();
            for (int k = 0; k < 37_500; k++) {
                shifted(p, x, 0.5f, 672);
            }
            long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "round %d: offset 0 %.3f ns per multiply-add, offset 3 %.3f%n", r,
                    (t1 - t0) / 25.2e6, (t2 - t1) / 25.2e6);
        }
    }
}

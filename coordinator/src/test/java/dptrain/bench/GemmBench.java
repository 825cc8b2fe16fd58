package dptrain.bench;

import dptrain.tensor.Blas;
import java.util.Locale;
import java.util.Random;

/**
 * dptrain's row-major sgemm ({@link Blas#gemm}) GFLOP/s for given shapes, timed the way scripts/bench/sgemm_openblas.c
 * times OpenBLAS from C: calls repeated until a repetition lasts at least min-seconds, best of reps repetitions.
 * Arguments: [--min-seconds S] [--reps R] M,K,N[,TA,TB] ... ; prints one JSON line per shape.
 */
public final class GemmBench {
    private GemmBench() {}

    /** Runs the benchmark. */
    public static void main(String[] args) {
        double minSeconds = 0.5;
        int reps = 5;
        java.util.List<String> shapes = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--min-seconds" -> minSeconds = Double.parseDouble(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                default -> shapes.add(args[i]);
            }
        }
        System.err.println("dptrain gemm: " + Blas.description());
        Random r = new Random(1);
        for (String s : shapes) {
            String[] p = s.split(",");
            int m = Integer.parseInt(p[0]);
            int k = Integer.parseInt(p[1]);
            int n = Integer.parseInt(p[2]);
            boolean ta = p.length > 3 && p[3].equalsIgnoreCase("T");
            boolean tb = p.length > 4 && p[4].equalsIgnoreCase("T");
            float[] a = random(r, m * k);
            float[] b = random(r, k * n);
            float[] c = new float[m * n];
            int lda = ta ? m : k;
            int ldb = tb ? k : n;
            // Calibrate the number of calls per repetition.
            long calls = 1;
            while (true) {
                long t0 = System.nanoTime();
                for (long i = 0; i < calls; i++) {
                    Blas.gemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
                }
                if ((System.nanoTime() - t0) / 1e9 >= minSeconds) {
                    break;
                }
                calls *= 2;
            }
            double best = 0;
            for (int rep = 0; rep < reps; rep++) {
                long t0 = System.nanoTime();
                for (long i = 0; i < calls; i++) {
                    Blas.gemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                best = Math.max(best, 2.0 * m * n * k * calls / secs / 1e9);
            }
            System.out.printf(Locale.ROOT, "{\"impl\":\"dptrain-java\",\"m\":%d,\"k\":%d,\"n\":%d,\"transa\":\"%s\","
                    + "\"transb\":\"%s\",\"gflops\":%.2f}%n", m, k, n, ta ? "T" : "N", tb ? "T" : "N", best);
        }
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat() - 0.5f;
        }
        return a;
    }
}

// Why dptrain's optimizers zero their decaying state below 2^-100 (BaseOptimizer.zeroTiny): Adam's loop over
// SimpleConvNet's 433 890 parameters, with a fifth of the gradients exactly zero from step 50 on (dead units), timed
// per 150 steps. Modes: "plain" (the update alone: its first moment sinks into the subnormal floats near step 700
// and stays there), "bits" (a branch-free flush of each new value inside the loop, which stops C2 vectorizing it),
// "sweep" (the update, then every 16th step values below 2^-100 zeroed, the library's rule done in one pass).
// Run: java scripts/bench/probes/SubnormalBench.java plain|bits|sweep
public class SubnormalBench {
    static float flushBits(float x) {
        int bits = Float.floatToRawIntBits(x);
        int keep = ~(((bits & 0x7f800000) - 1) >> 31);
        return Float.intBitsToFloat(bits & (keep | 0x80000000));
    }

    static void plain(float[] p, float[] g, float[] m, float[] v, float lrT) {
        for (int i = 0; i < p.length; i++) {
            float gi = g[i];
            m[i] += 0.1f * (gi - m[i]);
            v[i] += 0.001f * (gi * gi - v[i]);
            p[i] -= lrT * m[i] / ((float) Math.sqrt(v[i]) + 1e-7f);
        }
    }

    static void bits(float[] p, float[] g, float[] m, float[] v, float lrT) {
        for (int i = 0; i < p.length; i++) {
            float gi = g[i];
            m[i] = flushBits(m[i] + 0.1f * (gi - m[i]));
            v[i] = flushBits(v[i] + 0.001f * (gi * gi - v[i]));
            p[i] -= lrT * m[i] / ((float) Math.sqrt(v[i]) + 1e-7f);
        }
    }

    static void sweep(float[] a) {
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(a[i]) < 0x1p-100f) {
                a[i] = 0f;
            }
        }
    }

    public static void main(String[] args) {
        if (args.length != 1 || !args[0].matches("plain|bits|sweep")) {
            System.err.println("usage: java scripts/bench/probes/SubnormalBench.java plain|bits|sweep");
            System.exit(2);
        }
        String mode = args[0];
        int n = 433_890;
        java.util.Random r = new java.util.Random(1);
        float[] p = new float[n];
        float[] g = new float[n];
        float[] m = new float[n];
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = (float) r.nextGaussian() * 0.01f;
        }
        long window = 0;
        for (int t = 1; t <= 1500; t++) {
            for (int i = 0; i < n; i++) {
                g[i] = (i % 5 == 0 && t > 50) ? 0f : ((i * 7919 + t) % 13 - 6) * 1e-3f;
            }
            long t0 = System.nanoTime();
            switch (mode) {
                case "plain" -> plain(p, g, m, v, 1e-3f);
                case "bits" -> bits(p, g, m, v, 1e-3f);
                default -> {
                    plain(p, g, m, v, 1e-3f);
                    if (t % 16 == 0) {
                        sweep(m);
                        sweep(v);
                    }
                }
            }
            window += System.nanoTime() - t0;
            if (t % 150 == 0) {
                System.out.printf("%s steps %d-%d: %.3f ms per step%n", mode, t - 149, t, window / 150 / 1e6);
                window = 0;
            }
        }
    }
}

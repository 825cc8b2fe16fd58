package dptrain.coordinator;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * "Is distribution worth it for this model?" — measured on a window of early steps (once the JVMs are warm: the first
 * steps of a fresh cluster run 5-20 times slower while every JVM compiles; see {@link #warm}): the compute on the step's critical path (the busiest worker's shard compute),
 * the rest of the step (parameters out, gradients back, reduction, optimizer: everything distribution adds), their
 * ratio, and a projection of the step time for other worker counts.
 *
 * <p>The projection is deliberately simple and says so: compute per sample stays as measured and divides over the
 * workers; the rest grows in proportion to the number of workers, because a single parameter server sends and
 * receives one full vector per worker per step (on one host the workers also share its cores, which this ignores).
 * Then T(n) = B·c/n + E·n/n₀, best at n* = √(B·c·n₀/E), and no more useful workers than virtual shards.
 */
final class DistributionCheck {
    /** Steps always skipped before measuring. */
    static final int SKIP = 5;
    /**
     * Seconds of training always skipped before measuring: JIT compilation in fresh JVMs (the C2 threads of three JVMs
     * took a fifth of two cores for 20 s here, and steps ran 25 % slower in the first 10 s).
     */
    static final double SKIP_SECONDS = 10;
    /** Steps measured. */
    static final int WINDOW = 20;

    private final int batchSize;
    private final int shards;
    private final double[] stepMs = new double[WINDOW];
    private final double[] computeMs = new double[WINDOW];
    private final double[] perSampleMs = new double[WINDOW];
    private final int[] workers = new int[WINDOW];
    private int seen;
    private int first = -1;
    private Map<String, Object> result;

    DistributionCheck(int batchSize, int shards) {
        this.batchSize = batchSize;
        this.shards = shards;
    }

    /** Whether a step that many steps and seconds into training is past the warm-up. */
    static boolean warm(int stepsDone, double secondsSinceFirstStep) {
        return stepsDone >= SKIP && secondsSinceFirstStep >= SKIP_SECONDS;
    }

    /**
     * Records one finished step: whether it is past the warm-up, its wall time, the busiest worker's compute, the
     * compute per sample and the number of workers that computed; true once, when the window is full and
     * {@link #result()} is ready.
     */
    boolean record(boolean warm, double stepMillis, double criticalComputeMillis, double computeMillisPerSample,
                   int liveWorkers) {
        seen++;
        if (!warm && first < 0) {
            return false;
        }
        if (first < 0) {
            first = seen;
        }
        int i = seen - first;
        if (i >= WINDOW) {
            return false;
        }
        stepMs[i] = stepMillis;
        computeMs[i] = criticalComputeMillis;
        perSampleMs[i] = computeMillisPerSample;
        workers[i] = liveWorkers;
        if (i < WINDOW - 1) {
            return false;
        }
        result = evaluate();
        return true;
    }

    /** The measurement and verdict (null until the window is full). */
    Map<String, Object> result() {
        return result;
    }

    private Map<String, Object> evaluate() {
        double step = median(stepMs);
        double compute = median(computeMs);
        double perSample = median(perSampleMs);
        int n0 = Math.max(1, (int) median(Arrays.stream(workers).asDoubleStream().toArray()));
        double exchange = Math.max(step - compute, 1e-3);
        double total = batchSize * perSample; // compute of one step on one worker
        Map<String, Object> projected = new LinkedHashMap<>();
        int best = 1;
        double bestMs = Double.MAX_VALUE;
        for (int n = 1; n <= Math.max(64, n0); n *= 2) {
            double t = total / n + exchange * n / n0;
            if (n <= 16 || n == n0) {
                projected.put(Integer.toString(n), round(t));
            }
            if (n <= shards && t < bestMs) {
                bestMs = t;
                best = n;
            }
        }
        double nStar = Math.sqrt(total * n0 / exchange);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("steps", first + "-" + (first + WINDOW - 1));
        r.put("workers", n0);
        r.put("step_ms", round(step));
        r.put("critical_compute_ms", round(compute));
        r.put("exchange_and_apply_ms", round(exchange));
        r.put("compute_to_communication", round(compute / exchange));
        r.put("compute_ms_per_sample", perSample);
        r.put("projected_step_ms", projected);
        r.put("best_workers", best);
        r.put("best_workers_unbounded", round(nStar));
        String verdict;
        if (best > n0) {
            verdict = "more workers would help: projected best " + best + " workers ("
                    + fmt(bestMs) + " ms/step against " + fmt(step) + ")";
        } else if (best < n0) {
            verdict = "fewer workers would do as well or better: communication takes "
                    + Math.round(100 * exchange / step) + "% of the step; projected best " + best + " worker"
                    + (best == 1 ? "" : "s");
        } else {
            verdict = "this is about the best worker count for this model";
        }
        if (nStar > shards && best == shards) {
            verdict += "; " + shards + " virtual shards cap the useful workers (projection without the cap: "
                    + fmt(nStar) + ")";
        }
        r.put("verdict", verdict);
        return r;
    }

    /** One line for the terminal. */
    static String line(Map<String, Object> r) {
        return String.format(Locale.ROOT, "distribution check (steps %s, %s workers): compute %s ms on the busiest "
                        + "worker, exchange and apply %s ms per step, compute:communication %s:1; %s",
                r.get("steps"), r.get("workers"), r.get("critical_compute_ms"), r.get("exchange_and_apply_ms"),
                r.get("compute_to_communication"), r.get("verdict"));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}

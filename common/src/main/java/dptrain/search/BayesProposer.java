package dptrain.search;

import java.util.SplittableRandom;
import org.apache.commons.math3.random.SobolSequenceGenerator;
import org.apache.commons.math3.special.Erf;

/**
 * Bayesian optimization, one step: fit a Gaussian process to the points tried so far and propose the point of
 * [0, 1)^d with the largest expected improvement (EI) over the best value seen, for maximization.
 *
 * <p>The search over the acquisition is a seeded cloud of candidates, a Sobol sequence shifted at random
 * (Cranley–Patterson) plus Gaussian perturbations of the best points observed, and then a coordinate pattern
 * search from the best candidate. The result is a pure function of the inputs and the seed.
 */
public final class BayesProposer {
    /** Sobol points in the candidate cloud. */
    static final int SOBOL_CANDIDATES = 2048;
    /** How many of the best observed points get perturbed, and how many perturbations each. */
    static final int PERTURBED_POINTS = 5;
    static final int PERTURBATIONS = 64;
    /** Standard deviations of the perturbations, taken in turn. */
    private static final double[] PERTURBATION_SDS = {0.005, 0.02, 0.08};
    /** EI's margin xi, as a fraction of the standard deviation of y. */
    static final double XI = 0.01;
    /** Pattern search: first step, smallest step, and most sweeps over the coordinates. */
    private static final double FIRST_STEP = 0.02;
    private static final double LAST_STEP = 1e-4;
    private static final int MAX_SWEEPS = 60;
    /** The largest double below 1: proposals are clamped to [0, LAST_BELOW_ONE]. */
    private static final double LAST_BELOW_ONE = Math.nextDown(1.0);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private static final double SQRT2 = Math.sqrt(2);

    private BayesProposer() {
    }

    /** Expected improvement E[max(f − best − xi, 0)] for f ~ N(mu, s²), for maximization; xi >= 0. */
    public static double expectedImprovement(double mu, double s, double best, double xi) {
        if (!(xi >= 0)) {
            throw new IllegalArgumentException("xi must be >= 0, got " + xi);
        }
        double gain = mu - best - xi;
        if (!(s > 0)) {
            return Math.max(gain, 0);
        }
        double z = gain / s;
        double cdf = 0.5 * Erf.erfc(-z / SQRT2);
        double pdf = INV_SQRT_2PI * StrictMath.exp(-0.5 * z * z);
        return Math.max(gain * cdf + s * pdf, 0);
    }

    /**
     * The next point of [0, 1)^d to try: the maximizer of EI of a GP fitted to (x, y), maximizing y. With fewer
     * than 2 observations (or no finite value), a seeded uniform point. Non-finite values (failed trials) count as
     * the worst finite value seen.
     */
    public static double[] propose(double[][] x, double[] y, int d, GaussianProcess.Kernel kernel, long seed) {
        if (d < 1) {
            throw new IllegalArgumentException("d must be >= 1, got " + d);
        }
        if (x.length != y.length) {
            throw new IllegalArgumentException(x.length + " points but " + y.length + " values");
        }
        for (int i = 0; i < x.length; i++) {
            if (x[i].length != d) {
                throw new IllegalArgumentException("point " + i + " has " + x[i].length + " coordinates, not " + d);
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = withFailuresAsWorst(y);
        if (x.length < 2 || values == null) {
            double[] p = new double[d];
            for (int j = 0; j < d; j++) {
                p[j] = random.nextDouble();
            }
            return p;
        }
        GaussianProcess gp = GaussianProcess.fit(x, values, kernel);
        int bestIndex = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[bestIndex]) {
                bestIndex = i;
            }
        }
        Acquisition acq = new Acquisition(gp, values[bestIndex], XI * gp.yScale());

        // the cloud: shifted Sobol points, then perturbations of the best observed points
        double[] shift = new double[d];
        for (int j = 0; j < d; j++) {
            shift[j] = random.nextDouble();
        }
        SobolSequenceGenerator sobol = new SobolSequenceGenerator(d);
        double[] point = new double[d];
        for (int c = 0; c < SOBOL_CANDIDATES; c++) {
            double[] u = sobol.nextVector();
            for (int j = 0; j < d; j++) {
                double v = u[j] + shift[j];
                point[j] = clamp(v >= 1 ? v - 1 : v);
            }
            acq.offer(point);
        }
        for (int i : bestIndices(values, Math.min(PERTURBED_POINTS, values.length))) {
            for (int c = 0; c < PERTURBATIONS; c++) {
                double sd = PERTURBATION_SDS[c % PERTURBATION_SDS.length];
                for (int j = 0; j < d; j++) {
                    point[j] = clamp(x[i][j] + sd * random.nextGaussian());
                }
                acq.offer(point);
            }
        }

        if (acq.best == null) {
            // no candidate had a finite score: the GP is unusable, fall back to the seeded cloud's first point
            return shift;
        }
        // pattern search from the best candidate: ± step along each coordinate, halving the step when stuck
        double[] current = acq.best.clone();
        double step = FIRST_STEP;
        for (int sweep = 0; sweep < MAX_SWEEPS && step >= LAST_STEP; sweep++) {
            boolean moved = false;
            for (int j = 0; j < d; j++) {
                for (int sign = 1; sign >= -1; sign -= 2) {
                    System.arraycopy(current, 0, point, 0, d);
                    point[j] = clamp(current[j] + sign * step);
                    if (point[j] != current[j] && acq.offer(point)) {
                        System.arraycopy(point, 0, current, 0, d);
                        moved = true;
                        break;
                    }
                }
            }
            if (!moved) {
                step *= 0.5;
            }
        }
        return current;
    }

    /** y with non-finite entries replaced by the smallest finite one; null if none is finite. */
    private static double[] withFailuresAsWorst(double[] y) {
        double worst = Double.POSITIVE_INFINITY;
        for (double v : y) {
            if (Double.isFinite(v)) {
                worst = Math.min(worst, v);
            }
        }
        if (worst == Double.POSITIVE_INFINITY) {
            return null;
        }
        double[] out = y.clone();
        for (int i = 0; i < out.length; i++) {
            if (!Double.isFinite(out[i])) {
                out[i] = worst;
            }
        }
        return out;
    }

    /** Indices of the k largest values, largest first; ties go to the earlier index. */
    private static int[] bestIndices(double[] values, int k) {
        int[] out = new int[k];
        boolean[] taken = new boolean[values.length];
        for (int r = 0; r < k; r++) {
            int best = -1;
            for (int i = 0; i < values.length; i++) {
                if (!taken[i] && (best < 0 || values[i] > values[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            out[r] = best;
        }
        return out;
    }

    private static double clamp(double v) {
        return v >= 0 ? Math.min(v, LAST_BELOW_ONE) : 0;
    }

    /** EI of one fitted GP, keeping the best point offered: larger EI wins, then larger sd (for flat EI). */
    private static final class Acquisition {
        private final GaussianProcess gp;
        private final double bestValue;
        private final double xi;
        private final double[] prediction = new double[2];
        double[] best;
        private double bestEi = -1;
        private double bestSd = -1;

        Acquisition(GaussianProcess gp, double bestValue, double xi) {
            this.gp = gp;
            this.bestValue = bestValue;
            this.xi = xi;
        }

        /** Scores p; true if it beats every point offered before (then it is copied as the new best). */
        boolean offer(double[] p) {
            gp.predict(p, prediction);
            double sd = prediction[1];
            double ei = expectedImprovement(prediction[0], sd, bestValue, xi);
            if (!Double.isFinite(ei) || !Double.isFinite(sd)) {
                return false;
            }
            if (ei > bestEi || (ei == bestEi && sd > bestSd)) {
                bestEi = ei;
                bestSd = sd;
                best = p.clone();
                return true;
            }
            return false;
        }
    }
}

package dptrain.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.search.GaussianProcess.Kernel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/** Expected improvement by formula, the GP's fit, and Bayesian optimization against random search. */
class BayesProposerTest {
    private static final double[][] START_1D = {{0.1}, {0.4}, {0.95}};
    private static final double[][] START_2D = {{0.5, 0.5}, {0.9, 0.1}, {0.7, 0.3}};
    private static final int RANDOM_SEEDS = 20;

    @Test
    void expectedImprovementKnownValues() {
        assertEquals(1 / Math.sqrt(2 * Math.PI), BayesProposer.expectedImprovement(2, 1, 2, 0), 1e-12);
        // mu − best = s = 1: Φ(1) + φ(1)
        assertEquals(0.8413447460685429 + 0.24197072451914337, BayesProposer.expectedImprovement(1, 1, 0, 0), 1e-9);
        // the margin xi acts as a higher bar: (mu, best + xi) = (1, 0.5) at s = 2 equals (0.5, 0) at s = 2
        assertEquals(BayesProposer.expectedImprovement(0.5, 2, 0, 0), BayesProposer.expectedImprovement(1, 2, 0.5, 0),
                1e-12);
        assertEquals(BayesProposer.expectedImprovement(0.5, 2, 0, 0), BayesProposer.expectedImprovement(1, 2, 0, 0.5),
                1e-12);
        // far below best: tiny but not negative
        double low = BayesProposer.expectedImprovement(-30, 1, 0, 0);
        assertTrue(low >= 0 && low < 1e-100, "EI far below best: " + low);
        assertTrue(BayesProposer.expectedImprovement(0, 2, 0, 0) > BayesProposer.expectedImprovement(0, 1, 0, 0));
    }

    @Test
    void expectedImprovementWithoutUncertaintyIsTheGain() {
        assertEquals(2, BayesProposer.expectedImprovement(3, 0, 1, 0), 0);
        assertEquals(0, BayesProposer.expectedImprovement(0, 0, 1, 0), 0);
        assertEquals(0.75, BayesProposer.expectedImprovement(1, 0, 0, 0.25), 0);
        assertThrows(IllegalArgumentException.class, () -> BayesProposer.expectedImprovement(1, 1, 0, -0.1));
    }

    @Test
    void gaussianProcessInterpolatesAndIsUnsureFarAway() {
        int n = 8;
        double[][] x = new double[n][1];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i][0] = 0.5 * i / (n - 1);
            y[i] = 10 + 3 * Math.sin(6 * x[i][0]);
        }
        for (Kernel kernel : Kernel.values()) {
            GaussianProcess gp = GaussianProcess.fit(x, y, kernel);
            double worstSd = 0;
            for (int i = 0; i < n; i++) {
                assertEquals(y[i], gp.mean(x[i]), 0.01, kernel + " mean at training point " + i);
                worstSd = Math.max(worstSd, gp.sd(x[i]));
            }
            assertTrue(worstSd < 0.05, kernel + " sd at training points: " + worstSd);
            double far = gp.sd(new double[] {0.95});
            assertTrue(far > 0.1 && far > 10 * worstSd, kernel + " sd far away: " + far + " vs " + worstSd);
            assertTrue(Double.isFinite(gp.logMarginalLikelihood()), kernel + " lml " + gp.logMarginalLikelihood());
            assertEquals(1, gp.lengthScales().length);
            assertTrue(gp.lengthScales()[0] > 0, kernel + " length scale " + gp.lengthScales()[0]);
        }
    }

    @Test
    void gaussianProcessIsEquivariantToTheUnitsOfY() {
        double[][] x = points3d();
        double[] y = values3d(x);
        double[] scaled = Arrays.stream(y).map(v -> 1000 * v - 7).toArray();
        GaussianProcess a = GaussianProcess.fit(x, y, Kernel.MATERN52);
        GaussianProcess b = GaussianProcess.fit(x, scaled, Kernel.MATERN52);
        double[] p = {0.3, 0.6, 0.9};
        // the same fit up to the optimizer's tolerance
        assertEquals(1000 * a.mean(p) - 7, b.mean(p), 1e-5 * Math.abs(b.mean(p)));
        assertEquals(1000 * a.sd(p), b.sd(p), 1e-3 * b.sd(p));
        // densities of y: dividing by 1000 costs log 1000 per point
        assertEquals(a.logMarginalLikelihood() - x.length * Math.log(1000), b.logMarginalLikelihood(), 1e-5);
        for (int j = 0; j < 3; j++) {
            assertEquals(a.lengthScales()[j], b.lengthScales()[j], 1e-3 * a.lengthScales()[j]);
        }
    }

    @Test
    void gaussianProcessLearnsWhichDimensionMatters() {
        SplittableRandom random = new SplittableRandom(3);
        double[][] x = new double[30][2];
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i][0] = random.nextDouble();
            x[i][1] = random.nextDouble();
            y[i] = Math.sin(6 * x[i][0]);
        }
        for (Kernel kernel : Kernel.values()) {
            double[] lengths = GaussianProcess.fit(x, y, kernel).lengthScales();
            assertTrue(lengths[1] > 5 * lengths[0], kernel + " length scales " + Arrays.toString(lengths));
        }
    }

    @Test
    void duplicatePointsAndConstantValuesStayFinite() {
        double[][] x = {{0.3, 0.3}, {0.3, 0.3}, {0.3, 0.3}, {0.6, 0.2}};
        double[] constant = {5, 5, 5, 5};
        double[] conflicting = {1, 2, 3, 0};
        for (Kernel kernel : Kernel.values()) {
            for (double[] y : new double[][] {constant, conflicting}) {
                GaussianProcess gp = GaussianProcess.fit(x, y, kernel);
                double[] p = {0.9, 0.9};
                assertTrue(Double.isFinite(gp.mean(p)) && Double.isFinite(gp.sd(p)), kernel + Arrays.toString(y));
                assertInCube(BayesProposer.propose(x, y, 2, kernel, 3));
            }
        }
        assertEquals(5, GaussianProcess.fit(x, constant, Kernel.MATERN52).mean(new double[] {0.5, 0.5}), 1e-9);
    }

    @Test
    void failedTrialsAndBoundaryOptimaGiveProposalsInsideTheCube() {
        // y = x, best at the upper edge: the proposal is clamped below 1 and lands near it
        double[][] x = {{0.1}, {0.5}, {0.8}, {0.9}};
        double[] y = {0.1, 0.5, 0.8, 0.9};
        double[] p = BayesProposer.propose(x, y, 1, Kernel.MATERN52, 1);
        assertInCube(p);
        assertTrue(p[0] > 0.9, "proposal " + p[0]);
        double[] failed = {0.1, Double.NaN, 0.8, Double.NEGATIVE_INFINITY};
        assertInCube(BayesProposer.propose(x, failed, 1, Kernel.RBF, 1));
    }

    @Test
    void proposalIsALocalMaximumOfExpectedImprovement() {
        double[][] x = points3d();
        double[] y = values3d(x);
        double best = Arrays.stream(y).max().getAsDouble();
        for (Kernel kernel : Kernel.values()) {
            double[] p = BayesProposer.propose(x, y, 3, kernel, 5);
            GaussianProcess gp = GaussianProcess.fit(x, y, kernel);
            double xi = BayesProposer.XI * gp.yScale();
            double ei = BayesProposer.expectedImprovement(gp.mean(p), gp.sd(p), best, xi);
            assertTrue(ei > 0, kernel + " EI at the proposal: " + ei);
            for (int j = 0; j < 3; j++) {
                for (double step : new double[] {-1e-3, 1e-3}) {
                    double[] q = p.clone();
                    q[j] += step;
                    if (q[j] >= 0 && q[j] < 1) {
                        double there = BayesProposer.expectedImprovement(gp.mean(q), gp.sd(q), best, xi);
                        assertTrue(there <= ei * (1 + 1e-9),
                                kernel + " EI rises along " + j + ": " + there + " > " + ei);
                    }
                }
            }
        }
    }

    @Test
    void proposalIsAPureFunctionOfInputsAndSeed() {
        double[][] x = points3d();
        double[] y = values3d(x);
        for (Kernel kernel : Kernel.values()) {
            double[] a = BayesProposer.propose(x, y, 3, kernel, 42);
            double[] b = BayesProposer.propose(x, y, 3, kernel, 42);
            assertInCube(a);
            assertArrayEquals(bits(a), bits(b), kernel.toString());
        }
        // too few observations: a seeded uniform point
        double[] first = BayesProposer.propose(new double[0][], new double[0], 4, Kernel.RBF, 9);
        assertInCube(first);
        assertEquals(4, first.length);
        assertArrayEquals(bits(first), bits(BayesProposer.propose(new double[0][], new double[0], 4, Kernel.RBF, 9)));
        assertArrayEquals(bits(BayesProposer.propose(new double[][] {{0.5}}, new double[] {1}, 1, Kernel.RBF, 9)),
                bits(BayesProposer.propose(new double[][] {{0.5}}, new double[] {1}, 1, Kernel.RBF, 9)));
    }

    @Test
    void findsTheMaximumIn1dFasterThanRandomSearch() {
        ToDoubleFunction<double[]> f = p -> -(p[0] - 0.73) * (p[0] - 0.73);
        Predicate<double[]> near = p -> Math.abs(p[0] - 0.73) < 0.01;
        int random = randomSearchMedian(1, near);
        for (Kernel kernel : Kernel.values()) {
            for (long seed = 0; seed < 5; seed++) {
                // also within a small fixed budget: random proposals would rarely make it (p ≈ 0.2 per run)
                int budget = Math.min(random, 15);
                int bo = bayesEvaluations(f, START_1D, kernel, seed, near, budget);
                assertTrue(bo < budget, kernel + " seed " + seed + ": BO took " + bo + ", random's median " + random);
            }
        }
    }

    @Test
    void findsTheMaximumIn2dFasterThanRandomSearch() {
        // one anisotropic bump, maximum 1 at (0.2, 0.8)
        ToDoubleFunction<double[]> f = p -> Math.exp(-(sq(p[0] - 0.2) / 0.08 + sq(p[1] - 0.8) / 0.02));
        Predicate<double[]> near = p -> f.applyAsDouble(p) >= 0.99;
        int random = randomSearchMedian(2, near);
        for (Kernel kernel : Kernel.values()) {
            for (long seed = 0; seed < 2; seed++) {
                // a budget well below random's median, so that a slow BO fails rather than runs long
                int budget = Math.min(random, 40);
                int bo = bayesEvaluations(f, START_2D, kernel, seed, near, budget);
                assertTrue(bo < budget, kernel + " seed " + seed + ": BO took " + bo + ", random's median " + random);
            }
        }
    }

    /** Evaluations BO needs (the starting points included) until {@code done} holds; budget + 1 if it never does. */
    private static int bayesEvaluations(ToDoubleFunction<double[]> f, double[][] start, Kernel kernel, long seed,
            Predicate<double[]> done, int budget) {
        List<double[]> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (double[] p : start) {
            assertFalse(done.test(p), "a starting point is already good enough");
            xs.add(p);
            ys.add(f.applyAsDouble(p));
        }
        while (xs.size() < budget) {
            double[] y = ys.stream().mapToDouble(Double::doubleValue).toArray();
            double[][] x = xs.toArray(new double[0][]);
            double[] p = BayesProposer.propose(x, y, start[0].length, kernel, seed + xs.size());
            assertInCube(p);
            xs.add(p);
            ys.add(f.applyAsDouble(p));
            if (done.test(p)) {
                return xs.size();
            }
        }
        return budget + 1;
    }

    /** The median over seeds of the number of uniform draws until {@code done} holds. */
    private static int randomSearchMedian(int d, Predicate<double[]> done) {
        int[] counts = new int[RANDOM_SEEDS];
        for (int s = 0; s < RANDOM_SEEDS; s++) {
            SplittableRandom random = new SplittableRandom(s);
            double[] p = new double[d];
            int c = 0;
            do {
                for (int j = 0; j < d; j++) {
                    p[j] = random.nextDouble();
                }
                c++;
            } while (!done.test(p));
            counts[s] = c;
        }
        Arrays.sort(counts);
        return counts[RANDOM_SEEDS / 2];
    }

    private static double[][] points3d() {
        SplittableRandom random = new SplittableRandom(11);
        double[][] x = new double[12][3];
        for (double[] p : x) {
            for (int j = 0; j < 3; j++) {
                p[j] = random.nextDouble();
            }
        }
        return x;
    }

    private static double[] values3d(double[][] x) {
        return Arrays.stream(x).mapToDouble(p -> Math.sin(4 * p[0]) + p[1] * p[2]).toArray();
    }

    private static void assertInCube(double[] p) {
        for (double v : p) {
            assertTrue(v >= 0 && v < 1, "not in [0, 1): " + Arrays.toString(p));
        }
    }

    private static long[] bits(double[] p) {
        return Arrays.stream(p).mapToLong(Double::doubleToRawLongBits).toArray();
    }

    private static double sq(double v) {
        return v * v;
    }
}

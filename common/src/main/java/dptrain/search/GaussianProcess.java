package dptrain.search;

import java.util.Arrays;
import org.apache.commons.math3.analysis.MultivariateFunction;
import org.apache.commons.math3.exception.MathIllegalStateException;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;

/**
 * Gaussian-process regression over points in the unit cube, with one length scale per dimension (ARD).
 *
 * <p>y is standardized (its sample mean is the prior mean, its standard deviation the unit; a constant y gets
 * unit 1). The hyperparameters θ = (log length scales, log signal variance, log noise variance) maximize the
 * log marginal likelihood −½ yᵀK⁻¹y − ½ log|K| − n/2 log 2π: a fixed grid of starts is scored, and BOBYQA
 * climbs from the best two, within fixed bounds. Nothing is random, so a fit is a pure function of its inputs.
 * K is factored by Cholesky; if it is not numerically positive definite (duplicate points, very long length
 * scales), jitter growing tenfold is added to its diagonal until it is. A fitted model is immutable.
 */
public final class GaussianProcess {
    /** Covariance as a function of the scaled distance r: Matérn 5/2 or squared exponential. */
    public enum Kernel { MATERN52, RBF }

    // Bounds of the hyperparameters: x is in unit-cube units, the variances in units of the standardized y.
    private static final double MIN_LENGTH = 0.01;
    private static final double MAX_LENGTH = 10;
    private static final double MIN_SIGNAL = 0.01;
    private static final double MAX_SIGNAL = 100;
    private static final double MIN_NOISE = 1e-6;
    private static final double MAX_NOISE = 1;
    // The grid of starts (all length scales equal, unit signal variance); the best LOCAL_STARTS are refined.
    private static final double[] START_LENGTHS = {0.05, 0.2, 0.8};
    private static final double[] START_NOISES = {1e-4, 1e-2};
    private static final int LOCAL_STARTS = 2;
    // BOBYQA: trust region radii in log units, and evaluations per start for p parameters.
    private static final double START_RADIUS = 0.5;
    private static final double STOP_RADIUS = 1e-4;
    private static final int EVALS_PER_PARAMETER = 100;
    // Cholesky retries: jitter relative to the signal variance, from the first to the last try.
    private static final double FIRST_JITTER = 1e-10;
    private static final double LAST_JITTER = 1e-2;
    /** What a θ whose K cannot be factored scores: far below any real fit, yet tame for BOBYQA's models. */
    private static final double FAILED = -1e12;
    private static final double SQRT5 = Math.sqrt(5);
    private static final double LOG_2PI = StrictMath.log(2 * Math.PI);

    private final Kernel kernel;
    private final double[][] x;
    private final double[] lengths;
    private final double signal;
    private final double yMean;
    private final double yScale;
    private final double[] alpha;
    /** Lᵀ of the Cholesky factor K = LLᵀ: row j holds column j of L. */
    private final double[][] lt;
    private final double lml;

    private GaussianProcess(Kernel kernel, double[][] x, double[] lengths, double signal, double yMean,
            double yScale, double[] alpha, double[][] lt, double lml) {
        this.kernel = kernel;
        this.x = x;
        this.lengths = lengths;
        this.signal = signal;
        this.yMean = yMean;
        this.yScale = yScale;
        this.alpha = alpha;
        this.lt = lt;
        this.lml = lml;
    }

    /**
     * Fits a GP to points x[n][d] (in the unit cube) and finite values y[n], choosing the hyperparameters by
     * maximum marginal likelihood, deterministically.
     */
    public static GaussianProcess fit(double[][] x, double[] y, Kernel kernel) {
        int n = x.length;
        if (n == 0 || y.length != n) {
            throw new IllegalArgumentException("need n >= 1 points and as many values, got " + n + " and " + y.length);
        }
        int d = x[0].length;
        if (d == 0) {
            throw new IllegalArgumentException("points need at least one dimension");
        }
        double[][] xs = new double[n][];
        for (int i = 0; i < n; i++) {
            if (x[i].length != d) {
                throw new IllegalArgumentException("point " + i + " has " + x[i].length + " coordinates, not " + d);
            }
            for (double v : x[i]) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("point " + i + " is not finite: " + Arrays.toString(x[i]));
                }
            }
            if (!Double.isFinite(y[i])) {
                throw new IllegalArgumentException("value " + i + " is not finite: " + y[i]);
            }
            xs[i] = x[i].clone();
        }
        double mean = 0;
        for (double v : y) {
            mean += v;
        }
        mean /= n;
        double ss = 0;
        for (double v : y) {
            ss += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(ss / n);
        double scale = sd > 0 && Double.isFinite(sd) ? sd : 1;
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            ys[i] = (y[i] - mean) / scale;
        }

        double[] theta = bestTheta(xs, ys, kernel);
        double[] lengths = new double[d];
        for (int k = 0; k < d; k++) {
            lengths[k] = StrictMath.exp(theta[k]);
        }
        double signal = StrictMath.exp(theta[d]);
        double noise = StrictMath.exp(theta[d + 1]);
        CholeskyDecomposition chol = factor(scaled(xs, lengths), kernel, signal, noise);
        if (chol == null) {
            throw new IllegalStateException("covariance matrix not positive definite even with jitter");
        }
        double[] alpha = chol.getSolver().solve(new ArrayRealVector(ys, false)).toArray();
        RealMatrix upper = chol.getLT();
        double[][] lt = upper.getData();
        // the likelihood of y itself: that of the standardized y, less log of the Jacobian n·log(scale)
        double lml = logLikelihood(ys, alpha, upper) - n * StrictMath.log(scale);
        return new GaussianProcess(kernel, xs, lengths, signal, mean, scale, alpha, lt, lml);
    }

    /** Posterior mean of the latent function at p, in the units of y. */
    public double mean(double[] p) {
        double[] k = crossCovariance(p);
        double m = 0;
        for (int i = 0; i < k.length; i++) {
            m += k[i] * alpha[i];
        }
        return yMean + yScale * m;
    }

    /** Posterior standard deviation of the latent function (noise excluded) at p, in the units of y. */
    public double sd(double[] p) {
        return yScale * Math.sqrt(latentVariance(crossCovariance(p)));
    }

    /** Mean and standard deviation at p in one pass, into out[0] and out[1]. */
    void predict(double[] p, double[] out) {
        double[] k = crossCovariance(p);
        double m = 0;
        for (int i = 0; i < k.length; i++) {
            m += k[i] * alpha[i];
        }
        out[0] = yMean + yScale * m;
        out[1] = yScale * Math.sqrt(latentVariance(k));
    }

    /** The log marginal likelihood of y at the fitted hyperparameters (prior mean: the sample mean of y). */
    public double logMarginalLikelihood() {
        return lml;
    }

    /** The fitted length scale of each dimension, in unit-cube units. */
    public double[] lengthScales() {
        return lengths.clone();
    }

    /** The unit of the standardized y: its standard deviation, or 1 for a constant y. */
    double yScale() {
        return yScale;
    }

    /** k(xᵢ, p) for every training point. */
    private double[] crossCovariance(double[] p) {
        int d = lengths.length;
        if (p.length != d) {
            throw new IllegalArgumentException("point has " + p.length + " coordinates, not " + d);
        }
        double[] k = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double r2 = 0;
            for (int j = 0; j < d; j++) {
                double t = (x[i][j] - p[j]) / lengths[j];
                r2 += t * t;
            }
            k[i] = covariance(kernel, signal, r2);
        }
        return k;
    }

    /** k(p, p) − kᵀK⁻¹k, by solving Lv = k in place (k is overwritten). */
    private double latentVariance(double[] k) {
        int n = k.length;
        double vv = 0;
        for (int j = 0; j < n; j++) {
            double[] row = lt[j];
            double vj = k[j] / row[j];
            k[j] = vj;
            vv += vj * vj;
            for (int i = j + 1; i < n; i++) {
                k[i] -= row[i] * vj;
            }
        }
        return Math.max(signal - vv, 0);
    }

    /** The θ maximizing the likelihood of the standardized ys: grid starts, then BOBYQA from the best few. */
    private static double[] bestTheta(double[][] x, double[] ys, Kernel kernel) {
        int d = x[0].length;
        int p = d + 2;
        Likelihood f = new Likelihood(x, ys, kernel);
        double[][] starts = new double[START_LENGTHS.length * START_NOISES.length][];
        double[] scores = new double[starts.length];
        int s = 0;
        for (double length : START_LENGTHS) {
            for (double noise : START_NOISES) {
                double[] theta = new double[p];
                Arrays.fill(theta, 0, d, StrictMath.log(length));
                theta[d] = 0;
                theta[d + 1] = StrictMath.log(noise);
                starts[s] = theta;
                scores[s] = f.value(theta);
                s++;
            }
        }
        double[] lo = new double[p];
        double[] hi = new double[p];
        Arrays.fill(lo, 0, d, StrictMath.log(MIN_LENGTH));
        Arrays.fill(hi, 0, d, StrictMath.log(MAX_LENGTH));
        lo[d] = StrictMath.log(MIN_SIGNAL);
        hi[d] = StrictMath.log(MAX_SIGNAL);
        lo[d + 1] = StrictMath.log(MIN_NOISE);
        hi[d + 1] = StrictMath.log(MAX_NOISE);
        boolean[] used = new boolean[starts.length];
        for (int r = 0; r < LOCAL_STARTS; r++) {
            int best = -1;
            for (int i = 0; i < starts.length; i++) {
                if (!used[i] && (best < 0 || scores[i] > scores[best])) {
                    best = i;
                }
            }
            used[best] = true;
            BOBYQAOptimizer optimizer = new BOBYQAOptimizer(2 * p + 1, START_RADIUS, STOP_RADIUS);
            try {
                optimizer.optimize(new MaxEval(EVALS_PER_PARAMETER * p), new ObjectiveFunction(f),
                        GoalType.MAXIMIZE, new InitialGuess(starts[best]), new SimpleBounds(lo, hi));
            } catch (MathIllegalStateException e) {
                // out of evaluations: the best θ seen so far is kept by f
            }
        }
        return f.bestTheta;
    }

    /** The log likelihood from the solution α = K⁻¹y and the factor Lᵀ. */
    private static double logLikelihood(double[] ys, double[] alpha, RealMatrix lt) {
        int n = ys.length;
        double fit = 0;
        double logDet = 0;
        for (int i = 0; i < n; i++) {
            fit += ys[i] * alpha[i];
            logDet += 2 * StrictMath.log(lt.getEntry(i, i));
        }
        return -0.5 * fit - 0.5 * logDet - 0.5 * n * LOG_2PI;
    }

    /** The points divided by the length scales, so that distances come out scaled. */
    private static double[][] scaled(double[][] x, double[] lengths) {
        double[][] z = new double[x.length][lengths.length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < lengths.length; j++) {
                z[i][j] = x[i][j] / lengths[j];
            }
        }
        return z;
    }

    /** The Cholesky factorization of K + noise·I, with growing jitter if needed; null if it never succeeds. */
    private static CholeskyDecomposition factor(double[][] z, Kernel kernel, double signal, double noise) {
        int n = z.length;
        double[][] k = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                double r2 = 0;
                for (int c = 0; c < z[i].length; c++) {
                    double t = z[i][c] - z[j][c];
                    r2 += t * t;
                }
                double v = covariance(kernel, signal, r2);
                k[i][j] = v;
                k[j][i] = v;
            }
        }
        double jitter = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                k[i][i] = signal + noise + jitter;
            }
            try {
                return new CholeskyDecomposition(new Array2DRowRealMatrix(k, false),
                        CholeskyDecomposition.DEFAULT_RELATIVE_SYMMETRY_THRESHOLD,
                        CholeskyDecomposition.DEFAULT_ABSOLUTE_POSITIVITY_THRESHOLD);
            } catch (NonPositiveDefiniteMatrixException e) {
                if (jitter >= LAST_JITTER * signal) {
                    return null;
                }
                jitter = jitter == 0 ? FIRST_JITTER * signal : jitter * 10;
            }
        }
    }

    /** The kernel at squared scaled distance r2. */
    private static double covariance(Kernel kernel, double signal, double r2) {
        return switch (kernel) {
            case RBF -> signal * StrictMath.exp(-0.5 * r2);
            case MATERN52 -> {
                double sr = SQRT5 * Math.sqrt(r2);
                yield signal * (1 + sr + sr * sr / 3) * StrictMath.exp(-sr);
            }
        };
    }

    /** The log marginal likelihood of the standardized y as a function of θ; remembers the best θ it has seen. */
    private static final class Likelihood implements MultivariateFunction {
        private final double[][] x;
        private final double[] ys;
        private final Kernel kernel;
        private final double[] lengths;
        double[] bestTheta;
        double bestValue = Double.NEGATIVE_INFINITY;

        Likelihood(double[][] x, double[] ys, Kernel kernel) {
            this.x = x;
            this.ys = ys;
            this.kernel = kernel;
            this.lengths = new double[x[0].length];
        }

        @Override
        public double value(double[] theta) {
            int d = lengths.length;
            for (int k = 0; k < d; k++) {
                lengths[k] = StrictMath.exp(theta[k]);
            }
            CholeskyDecomposition chol = factor(scaled(x, lengths), kernel, StrictMath.exp(theta[d]),
                    StrictMath.exp(theta[d + 1]));
            double v = FAILED;
            if (chol != null) {
                double[] alpha = chol.getSolver().solve(new ArrayRealVector(ys, false)).toArray();
                v = logLikelihood(ys, alpha, chol.getLT());
                if (!Double.isFinite(v)) {
                    v = FAILED;
                }
            }
            if (bestTheta == null || v > bestValue) {
                bestValue = v;
                bestTheta = theta.clone();
            }
            return v;
        }
    }
}

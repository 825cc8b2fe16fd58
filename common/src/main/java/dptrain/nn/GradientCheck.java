package dptrain.nn;

/**
 * Numerical gradients by central differences, and the check of a network's backward pass against them: the
 * book's way of proving that backpropagation is right. Both sides are gradients of the loss summed over the batch.
 */
public final class GradientCheck {
    /**
     * Step sizes tried in turn. The largest is least disturbed by float32 rounding; smaller ones get closer than a
     * ReLU or max-pool switching point near the parameter's value, where a large step straddles the kink.
     */
    private static final float[] STEPS = {1e-2f, 1e-3f, 2e-4f, 5e-5f};

    private GradientCheck() {}

    /** The outcome: how many parameters matched at no step size, and the worst of them. */
    public record Result(int worstIndex, double analytic, double numerical, double absoluteError, int checked,
                         int failures) {
        /** True when at most maxFailFraction of the checked parameters failed. */
        public boolean passes(double maxFailFraction) {
            return failures <= maxFailFraction * checked;
        }
    }

    /** What is differentiated: a function of the current parameter values. */
    @FunctionalInterface
    public interface Loss {
        /** The loss at the current values of the parameter array. */
        double value();
    }

    /** (f(p + h) − f(p − h)) / 2h at index i of params, restoring the value afterwards. */
    public static double numerical(Loss f, float[] params, int i, float h) {
        float old = params[i];
        params[i] = old + h;
        double plus = f.value();
        params[i] = old - h;
        double minus = f.value();
        params[i] = old;
        // Divide by the step actually taken in float arithmetic.
        return (plus - minus) / ((double) (old + h) - (double) (old - h));
    }

    /**
     * Checks the network's analytic gradient on n samples of x against central differences for the parameters
     * at the given indices (all when null). Dropout masks are keyed by the fixed context, so they stay the same
     * across the perturbed evaluations. A parameter passes when, at one of the step sizes,
     * |analytic − numerical| ≤ atol + rtol·max(|analytic|, |numerical|).
     */
    public static Result check(Model model, float[] params, float[] x, int n, int[] labels, int[] indices,
                               double atol, double rtol) {
        float[] grads = new float[params.length];
        float[] state = model.initialState();
        ParamStore store = new ParamStore(params, grads, state, new float[state.length]);
        Network net = model.replica(n, store);
        ForwardContext ctx = new ForwardContext().training(42, 7, 3);
        net.lossAndGradient(x, n, labels, 0, ctx);
        float[] analytic = grads.clone();
        Loss f = () -> net.lossOnly(x, n, labels, 0, ctx);
        int count = indices == null ? params.length : indices.length;
        int failures = 0;
        int worst = -1;
        double worstErr = 0;
        double worstNum = 0;
        for (int c = 0; c < count; c++) {
            int i = indices == null ? c : indices[c];
            double a = analytic[i];
            double best = Double.POSITIVE_INFINITY;
            double bestNum = 0;
            for (float h : STEPS) {
                double num = numerical(f, params, i, h);
                double err = Math.abs(a - num);
                if (err < best) {
                    best = err;
                    bestNum = num;
                }
                if (err <= atol + rtol * Math.max(Math.abs(a), Math.abs(num))) {
                    break;
                }
            }
            if (best > atol + rtol * Math.max(Math.abs(a), Math.abs(bestNum))) {
                failures++;
                if (best > worstErr) {
                    worstErr = best;
                    worst = i;
                    worstNum = bestNum;
                }
            }
        }
        return new Result(worst, worst < 0 ? 0 : analytic[worst], worstNum, worstErr, count, failures);
    }
}

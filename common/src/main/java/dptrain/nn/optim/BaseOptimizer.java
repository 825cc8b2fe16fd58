package dptrain.nn.optim;

import java.util.ArrayList;
import java.util.List;

/** Keeps the step count and the lazily made state buffers shared by every optimizer. */
abstract class BaseOptimizer implements Optimizer {
    private final int buffers;
    private final String name;
    protected float[][] s;
    protected long t;

    BaseOptimizer(String name, int buffers) {
        this.name = name;
        this.buffers = buffers;
    }

    /** Makes the state buffers on first use. */
    protected final void ensure(int n) {
        if (s == null) {
            s = new float[buffers][n];
        } else if (buffers > 0 && s[0].length != n) {
            throw new IllegalArgumentException(name + " state has " + s[0].length + " values, parameters have " + n);
        }
    }

    @Override
    public final void beginStep(int n) {
        ensure(n);
        t++;
    }

    @Override
    public final void update(float[] params, float[] grads, float lr, int from, int to) {
        apply(params, grads, lr, from, to);
    }

    abstract void apply(float[] p, float[] g, float lr, int from, int to);

    /** State values below this in magnitude are set to zero by {@link #zeroTiny}. */
    static final float TINY = 0x1p-100f;
    /** {@link #zeroTiny} visits each value once in this many steps. */
    static final int SWEEP_STEPS = 16;

    /**
     * Sets the values of {@code a} below {@link #TINY} in magnitude to zero, in the part of [from, to) that falls in
     * this step's sixteenth of the buffer (each value is visited every 16 steps, whoever updates which range).
     *
     * <p>A decaying state (a momentum, Adam's moments) of a parameter whose gradient has gone to zero, a dead unit's,
     * would otherwise sink into the subnormal floats and stay there (0.1·m rounds to nothing once m is a few
     * subnormal ulps), and every arithmetic step on a subnormal costs this CPU a microcode assist: in SimpleConvNet's
     * second epoch a fifth of Adam's first moment was subnormal and the optimizer step took 2–3 ms instead of 0.5
     * (docs/benchmarks-history.md). Decaying by 0.9 per step, a value needs ~170 steps to fall from 2⁻¹⁰⁰ to the subnormals,
     * so it is caught long before. A value this small moves its parameter by less than lr·2⁻¹⁰⁰/ε ≈ lr·10⁻²³ per step,
     * below half an ulp of any parameter larger than ~10⁻¹⁶·lr in magnitude, so parameters keep their bits. The
     * sweep depends only on the step count and the index: the same for any threads, workers or resume.
     */
    final void zeroTiny(float[] a, int from, int to) {
        int slice = (int) (t % SWEEP_STEPS);
        int lo = Math.max(from, (int) ((long) a.length * slice / SWEEP_STEPS));
        int hi = Math.min(to, (int) ((long) a.length * (slice + 1) / SWEEP_STEPS));
        for (int i = lo; i < hi; i++) {
            if (Math.abs(a[i]) < TINY) {
                a[i] = 0f;
            }
        }
    }

    @Override
    public List<float[]> state() {
        List<float[]> r = new ArrayList<>();
        if (s != null) {
            for (float[] b : s) {
                r.add(b.clone());
            }
        }
        return r;
    }

    @Override
    public long steps() {
        return t;
    }

    @Override
    public void restore(long steps, List<float[]> state) {
        if (!state.isEmpty() && state.size() != buffers) {
            throw new IllegalArgumentException(name + " expects " + buffers + " state buffers, got " + state.size());
        }
        this.t = steps;
        this.s = state.isEmpty() ? null : state.stream().map(float[]::clone).toArray(float[][]::new);
    }

    @Override
    public String name() {
        return name;
    }
}

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

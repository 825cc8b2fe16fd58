package dptrain.nn.optim;

import java.util.Locale;

/** The book's optimizers on flat buffers: SGD, Momentum, Nesterov, AdaGrad, RMSProp and Adam, and Adadelta. */
public final class Optimizers {
    /** Guards divisions by √(accumulated squares), as in the book. */
    static final float EPS = 1e-7f;

    private Optimizers() {}

    /** The optimizers, named in lower case as users write them. */
    public enum Kind {
        SGD, MOMENTUM, NESTEROV, ADAGRAD, RMSPROP, ADAM, ADADELTA;

        /** The name a user writes, e.g. rmsprop. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The names accepted by {@link #create}, comma-separated. */
    public static final String NAMES = String.join(", ",
            java.util.Arrays.stream(Kind.values()).map(Kind::toString).toList());

    /**
     * An optimizer by name; {@code momentum} is used by momentum/nesterov, {@code decay} by rmsprop and (as ρ) by
     * adadelta, {@code beta1}/{@code beta2} by adam.
     */
    public static Optimizer create(String name, float momentum, float decay, float beta1, float beta2) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "sgd" -> new Sgd();
            case "momentum" -> new Momentum(momentum);
            case "nesterov" -> new Nesterov(momentum);
            case "adagrad" -> new AdaGrad();
            case "rmsprop" -> new RmsProp(decay);
            case "adam" -> new Adam(beta1, beta2);
            case "adadelta" -> new Adadelta(decay);
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "': expected one of " + NAMES);
        };
    }

    /** An optimizer by name with the book's default hyperparameters. */
    public static Optimizer create(String name) {
        return create(name, 0.9f, defaultDecay(name), 0.9f, 0.999f);
    }

    /** The default of {@code decay}: RMSProp's 0.99, Adadelta's ρ of 0.95 (the paper's). */
    public static float defaultDecay(String name) {
        return name.equalsIgnoreCase("adadelta") ? 0.95f : 0.99f;
    }

    /** p ← p − lr·g. */
    static final class Sgd extends BaseOptimizer {
        Sgd() {
            super("sgd", 0);
        }

        void apply(float[] p, float[] g, float lr, int from, int to) {
            for (int i = from; i < to; i++) {
                p[i] -= lr * g[i];
            }
        }
    }

    /** v ← m·v − lr·g; p ← p + v. */
    static final class Momentum extends BaseOptimizer {
        private final float m;

        Momentum(float m) {
            super("momentum", 1);
            this.m = m;
        }

        void apply(float[] p, float[] g, float lr, int from, int to) {
            float[] v = s[0];
            for (int i = from; i < to; i++) {
                v[i] = m * v[i] - lr * g[i];
                p[i] += v[i];
            }
            zeroTiny(v, from, to);
        }
    }

    /** The book's Nesterov: v ← m·v − lr·g; p ← p + m²·v − (1 + m)·lr·g. */
    static final class Nesterov extends BaseOptimizer {
        private final float m;

        Nesterov(float m) {
            super("nesterov", 1);
            this.m = m;
        }

        void apply(float[] p, float[] g, float lr, int from, int to) {
            float[] v = s[0];
            for (int i = from; i < to; i++) {
                v[i] = m * v[i] - lr * g[i];
                p[i] += m * m * v[i] - (1 + m) * lr * g[i];
            }
            zeroTiny(v, from, to);
        }
    }

    /** h ← h + g²; p ← p − lr·g / (√h + ε). */
    static final class AdaGrad extends BaseOptimizer {
        AdaGrad() {
            super("adagrad", 1);
        }

        void apply(float[] p, float[] g, float lr, int from, int to) {
            float[] h = s[0];
            for (int i = from; i < to; i++) {
                h[i] += g[i] * g[i];
                p[i] -= lr * g[i] / ((float) Math.sqrt(h[i]) + EPS);
            }
        }
    }

    /** h ← ρ·h + (1 − ρ)·g²; p ← p − lr·g / (√h + ε). */
    static final class RmsProp extends BaseOptimizer {
        private final float rho;

        RmsProp(float rho) {
            super("rmsprop", 1);
            this.rho = rho;
        }

        void apply(float[] p, float[] g, float lr, int from, int to) {
            float[] h = s[0];
            for (int i = from; i < to; i++) {
                h[i] = rho * h[i] + (1 - rho) * g[i] * g[i];
                p[i] -= lr * g[i] / ((float) Math.sqrt(h[i]) + EPS);
            }
            zeroTiny(h, from, to);
        }
    }

    /**
     * Adadelta (Zeiler 2012): E[g²] ← ρ·E[g²] + (1 − ρ)·g²; Δ = −√(E[Δ²] + ε) / √(E[g²] + ε) · g;
     * E[Δ²] ← ρ·E[Δ²] + (1 − ρ)·Δ²; p ← p + lr·Δ. Its step size comes from the updates' own history, so lr is a plain
     * scale (1 by default, as in the paper).
     */
    static final class Adadelta extends BaseOptimizer {
        /** ε of the paper's experiments. */
        static final float EPS_ADADELTA = 1e-6f;
        private final float rho;

        Adadelta(float rho) {
            super("adadelta", 2);
            this.rho = rho;
        }

        void apply(float[] p, float[] g, float lr, int from, int to) {
            float[] eg = s[0];
            float[] ed = s[1];
            for (int i = from; i < to; i++) {
                eg[i] = rho * eg[i] + (1 - rho) * g[i] * g[i];
                float d = -(float) Math.sqrt(ed[i] + EPS_ADADELTA) / (float) Math.sqrt(eg[i] + EPS_ADADELTA) * g[i];
                ed[i] = rho * ed[i] + (1 - rho) * d * d;
                p[i] += lr * d;
            }
            zeroTiny(eg, from, to);
            zeroTiny(ed, from, to);
        }
    }

    /** Adam with bias correction folded into the step size, as in the book. */
    static final class Adam extends BaseOptimizer {
        private final float b1;
        private final float b2;

        Adam(float b1, float b2) {
            super("adam", 2);
            this.b1 = b1;
            this.b2 = b2;
        }

        void apply(float[] p, float[] g, float lr, int from, int to) {
            float[] m = s[0];
            float[] v = s[1];
            float lrT = (float) (lr * StrictMath.sqrt(1.0 - StrictMath.pow(b2, t)) / (1.0 - StrictMath.pow(b1, t)));
            for (int i = from; i < to; i++) {
                float gi = g[i];
                m[i] += (1 - b1) * (gi - m[i]);
                v[i] += (1 - b2) * (gi * gi - v[i]);
                p[i] -= lrT * m[i] / ((float) Math.sqrt(v[i]) + EPS);
            }
            zeroTiny(m, from, to);
            zeroTiny(v, from, to);
        }
    }
}

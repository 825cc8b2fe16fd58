package dptrain.nn;

/**
 * The output layer with its loss, over n samples of {@code classes} scores. Losses and gradients are sums over
 * the samples (not means): shard sums add up exactly, and the parameter server divides by the batch size once.
 */
public final class Loss {
    /** Which loss. */
    public enum Kind {
        /** Softmax then cross-entropy, computed with the max subtracted (log-sum-exp). */
        SOFTMAX,
        /** Identity output with ½·Σ(y − t)² against one-hot targets. */
        SQUARES
    }

    private final Kind kind;
    private final int classes;
    private final float[] dy;

    /** A loss layer for up to maxBatch samples. */
    public Loss(Kind kind, int classes, int maxBatch) {
        this.kind = kind;
        this.classes = classes;
        this.dy = new float[maxBatch * classes];
    }

    /**
     * Loss sum of scores y (n × classes) against labels[labelOff..labelOff+n); also prepares the gradient.
     * Returns the sum of per-sample losses; {@link #correct()} counts argmax hits of this call.
     */
    public double forward(float[] y, int n, int[] labels, int labelOff) {
        double total = 0;
        int hits = 0;
        for (int s = 0; s < n; s++) {
            int base = s * classes;
            int t = labels[labelOff + s];
            int arg = argmax(y, base, classes);
            if (arg == t) {
                hits++;
            }
            if (kind == Kind.SOFTMAX) {
                float m = y[base + arg];
                double sum = 0;
                for (int j = 0; j < classes; j++) {
                    double e = StrictMath.exp(y[base + j] - m);
                    dy[base + j] = (float) e;
                    sum += e;
                }
                double logSum = StrictMath.log(sum);
                total += logSum - (y[base + t] - m);
                for (int j = 0; j < classes; j++) {
                    dy[base + j] = (float) (dy[base + j] / sum) - (j == t ? 1f : 0f);
                }
            } else {
                double sq = 0;
                for (int j = 0; j < classes; j++) {
                    float d = y[base + j] - (j == t ? 1f : 0f);
                    dy[base + j] = d;
                    sq += (double) d * d;
                }
                total += 0.5 * sq;
            }
        }
        this.lastCorrect = hits;
        return total;
    }

    private int lastCorrect;

    /** Samples whose highest score was the label, in the last forward. */
    public int correct() {
        return lastCorrect;
    }

    /** dL/dy of the last forward (n × classes), sums over samples. */
    public float[] backward() {
        return dy;
    }

    /** Index of the largest of y[off..off+len) (first one on ties). */
    public static int argmax(float[] y, int off, int len) {
        int best = 0;
        float v = y[off];
        for (int j = 1; j < len; j++) {
            if (y[off + j] > v) {
                v = y[off + j];
                best = j;
            }
        }
        return best;
    }
}

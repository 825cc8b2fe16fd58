package dptrain.nn.optim;

import java.util.Locale;

/**
 * Learning rate as a function of the step: constant, step decay (× gamma every {@code every} epochs),
 * exponential (× gamma per epoch, smoothly per step) or cosine (from the base down to 0 over the run).
 */
public record LrSchedule(Kind kind, double gamma, int every) {
    /** The schedules. */
    public enum Kind { CONSTANT, STEP, EXPONENTIAL, COSINE }

    /** Checks the parameters. */
    public LrSchedule {
        if (kind == Kind.STEP || kind == Kind.EXPONENTIAL) {
            if (!(gamma > 0 && gamma <= 1)) {
                throw new IllegalArgumentException("--lr-gamma must be in (0, 1], got " + gamma);
            }
        }
        if (kind == Kind.STEP && every < 1) {
            throw new IllegalArgumentException("--lr-step-epochs must be >= 1, got " + every);
        }
    }

    /** Parses a schedule name: constant, step, exponential or cosine. */
    public static Kind parseKind(String s) {
        try {
            return Kind.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown schedule '" + s + "': expected constant, step, exponential or cosine");
        }
    }

    /** The learning rate at 0-based global step {@code step}, for a run of totalSteps steps. */
    public float at(float base, long step, int stepsPerEpoch, long totalSteps) {
        double epoch = (double) step / stepsPerEpoch;
        double lr = switch (kind) {
            case CONSTANT -> base;
            case STEP -> base * StrictMath.pow(gamma, StrictMath.floor(epoch / every));
            case EXPONENTIAL -> base * StrictMath.pow(gamma, epoch);
            case COSINE -> 0.5 * base * (1 + StrictMath.cos(StrictMath.PI * Math.min(1.0, (double) step / totalSteps)));
        };
        return (float) lr;
    }
}

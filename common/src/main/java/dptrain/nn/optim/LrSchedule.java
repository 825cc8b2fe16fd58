package dptrain.nn.optim;

import dptrain.util.InvalidSetting;
import java.util.Locale;

/**
 * Learning rate as a function of the step: constant, step decay (× gamma every {@code every} epochs),
 * exponential (× gamma per epoch, smoothly per step) or cosine (from the base down to 0 over the run).
 */
public record LrSchedule(Kind kind, double gamma, int every) {
    /** The schedules. */
    public enum Kind {
        CONSTANT, STEP, EXPONENTIAL, COSINE;

        /** The name a user writes: constant, step, exponential, cosine. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Checks the parameters. */
    public LrSchedule {
        if (kind == Kind.STEP || kind == Kind.EXPONENTIAL) {
            InvalidSetting.require(gamma > 0 && gamma <= 1, "lr_gamma", gamma, "a factor in (0, 1]");
        }
        if (kind == Kind.STEP) {
            InvalidSetting.require(every >= 1, "lr_step_epochs", every, "an integer >= 1");
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

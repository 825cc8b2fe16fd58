package dptrain.train;

/** The loss became NaN or infinite: the run stops, naming the step and the last finite loss. */
public final class TrainingDivergedException extends RuntimeException {
    /** A divergence at the given step. */
    public TrainingDivergedException(String message) {
        super(message);
    }
}

package dptrain.nn.optim;

import java.util.List;

/**
 * Updates a flat parameter vector from its gradient (already averaged over the batch, weight decay included).
 * State is created lazily on the first update, and can be saved and restored for checkpoints.
 */
public interface Optimizer {
    /** One update with learning rate lr. */
    default void update(float[] params, float[] grads, float lr) {
        beginStep(params.length);
        update(params, grads, lr, 0, params.length);
    }

    /** Starts an update of a vector of n parameters (counts the step, makes state on first use). */
    void beginStep(int n);

    /** Updates parameters [from, to) for the step begun last; ranges may run on different threads. */
    void update(float[] params, float[] grads, float lr, int from, int to);

    /** The optimizer's buffers (velocities, moments...), for checkpoints; empty before the first update. */
    List<float[]> state();

    /** Number of updates applied. */
    long steps();

    /** Restores what {@link #state()} and {@link #steps()} returned. */
    void restore(long steps, List<float[]> state);

    /** The kind, e.g. "adam". */
    String name();
}

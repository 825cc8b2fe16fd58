package dptrain.nn;

/**
 * The flat buffers one replica of a network computes with: parameters (shared, read-only during a shard),
 * the gradient sums of the shard being computed, non-trainable state (batch-norm running statistics) and the
 * batch statistics a shard produced (combined into the state by the parameter server after the step).
 */
public final class ParamStore {
    /** Trainable parameters, laid out by {@link Model}. */
    public float[] params;
    /** Gradient sums of the current shard, same layout as {@link #params}. */
    public float[] grads;
    /** Non-trainable state (running means and variances), laid out by {@link Model}. */
    public float[] state;
    /** Batch statistics of the current shard, same layout as {@link #state}. */
    public float[] batchStats;

    /** A store over the given buffers; grads and batchStats may be null for inference-only replicas. */
    public ParamStore(float[] params, float[] grads, float[] state, float[] batchStats) {
        this.params = params;
        this.grads = grads;
        this.state = state;
        this.batchStats = batchStats;
    }
}

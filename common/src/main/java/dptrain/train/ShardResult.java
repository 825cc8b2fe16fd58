package dptrain.train;

/** What one shard contributes to a step: gradient sums, batch statistics and loss sum. */
public final class ShardResult {
    /** Gradient sums over the shard's samples (parameter layout). */
    public final float[] grads;
    /** Batch statistics per batch-norm layer (state layout). */
    public final float[] batchStats;
    /** Sum of the samples' losses. */
    public double lossSum;

    /** Buffers for a model with the given sizes. */
    public ShardResult(int params, int state) {
        this.grads = new float[params];
        this.batchStats = new float[state];
    }
}

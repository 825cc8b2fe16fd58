package dptrain.train;

import dptrain.data.Dataset;

/**
 * Computes every shard of a step. The local implementation runs them on threads in this JVM; the cluster's
 * sends them to workers. Either way shard k's result lands in results[k].
 */
public interface ShardExecutor extends AutoCloseable {
    /** Computes the K = results.length shards of the batch at the given step with the given parameters and state. */
    void computeShards(Dataset data, int[] batch, int batchSize, long seed, long step,
                       float[] params, float[] state, ShardResult[] results);

    /**
     * This JVM's threads for the rest of the step and for evaluation: the optimizer's update runs its element-wise
     * loops on it, and the evaluator its chunks.
     */
    ComputePool pool();

    /** Adds what the executor knows about the last step (workers, timings, drops) to a step record. */
    default void describeStep(java.util.Map<String, Object> record) {}

    /** Adds what the executor knows about the whole run to summary.json. */
    default void describeRun(java.util.Map<String, Object> summary) {}

    /** Releases threads and connections. */
    @Override
    void close();
}

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
     * One step: computes the shards with the server's parameters as shards see them ({@link ParameterServer#wireParams})
     * and its state, applies them to the server and returns
     * the batch's mean loss. By default all shards, then the whole update; an executor that receives the shards'
     * gradients piece by piece may apply each range of parameters as soon as every shard's part of it is in, with
     * {@link ParameterServer#begin}, {@link ParameterServer#applyRange} and {@link ParameterServer#finish} (the same
     * bits: the update is element-wise).
     */
    default double step(ParameterServer ps, Dataset data, int[] batch, int batchSize, long seed, long step, float lr,
                        ShardResult[] results) {
        computeShards(data, batch, batchSize, seed, step, ps.wireParams(), ps.state(), results);
        return ps.apply(results, batchSize, lr);
    }

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

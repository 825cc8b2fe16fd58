package dptrain.train;

import dptrain.data.Dataset;
import dptrain.nn.Model;

/**
 * Runs the shards of a step on the lanes of a {@link ComputePool} in this JVM (the calling thread is one of them),
 * each lane with its own {@link ShardComputer}. A shard is computed on its own into its own result, so the outcome is
 * the same for every number of threads. Nothing is allocated per step.
 */
public final class LocalShardExecutor implements ShardExecutor {
    private final ComputePool pool;
    private final ShardComputer[] computers;

    // The current step, written before the pool publishes the job.
    private Dataset data;
    private int[] batch;
    private int batchSize;
    private long seed;
    private long step;
    private float[] params;
    private float[] state;
    private ShardResult[] results;
    private final ComputePool.Task shardTask = this::computeShard;

    /** An executor for the model with {@code threads} threads and shards of up to maxShard samples. */
    public LocalShardExecutor(Model model, int threads, int maxShard) {
        pool = new ComputePool(threads, "dptrain-shard", ComputePool.SPIN_NANOS);
        computers = new ShardComputer[threads];
        for (int i = 0; i < threads; i++) {
            computers[i] = new ShardComputer(model, maxShard);
        }
    }

    @Override
    public void computeShards(Dataset data, int[] batch, int batchSize, long seed, long step,
                              float[] params, float[] state, ShardResult[] results) {
        this.data = data;
        this.batch = batch;
        this.batchSize = batchSize;
        this.seed = seed;
        this.step = step;
        this.params = params;
        this.state = state;
        this.results = results;
        pool.run(results.length, shardTask);
    }

    private void computeShard(int k, int lane) {
        int shards = results.length;
        computers[lane].compute(data, batch, ShardPlan.start(batchSize, shards, k), ShardPlan.end(batchSize, shards, k),
                seed, step, params, state, results[k]);
    }

    @Override
    public ComputePool pool() {
        return pool;
    }

    @Override
    public void close() {
        pool.close();
    }
}

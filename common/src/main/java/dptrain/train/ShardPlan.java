package dptrain.train;

/**
 * How a global batch of B samples is cut into K virtual shards: shard k holds positions
 * [⌊k·B/K⌋, ⌊(k+1)·B/K⌋), so sizes differ by at most one. K is a job setting, independent of threads or workers.
 */
public final class ShardPlan {
    private ShardPlan() {}

    /** First batch position of shard k. */
    public static int start(int batch, int shards, int k) {
        return (int) ((long) k * batch / shards);
    }

    /** One past the last batch position of shard k. */
    public static int end(int batch, int shards, int k) {
        return start(batch, shards, k + 1);
    }

    /** The largest shard of a batch. */
    public static int maxShard(int batch, int shards) {
        return (batch + shards - 1) / shards;
    }
}

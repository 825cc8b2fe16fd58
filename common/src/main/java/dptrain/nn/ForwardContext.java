package dptrain.nn;

/**
 * What a forward pass needs to know beyond its input: training or inference, and the key of the counter-based
 * randomness (seed, step, position of the shard's first sample in the global batch) so that a sample's dropout
 * mask does not depend on which shard or worker computes it.
 */
public final class ForwardContext {
    /** True in training (batch statistics, dropout active). */
    public boolean train;
    /** Run seed. */
    public long seed;
    /** Global step number. */
    public long step;
    /** Index in the global batch of this shard's first sample. */
    public int batchOffset;

    /** An inference context. */
    public static ForwardContext inference() {
        return new ForwardContext();
    }

    /** Sets this context for a training shard and returns it. */
    public ForwardContext training(long seed, long step, int batchOffset) {
        this.train = true;
        this.seed = seed;
        this.step = step;
        this.batchOffset = batchOffset;
        return this;
    }
}

package dptrain.train;

import dptrain.nn.Model;
import dptrain.nn.optim.Optimizer;
import dptrain.tensor.WirePrecision;

/**
 * Owns the parameters, state and optimizer, and turns a step's shard results into an update: gradient sums are
 * added in shard-index order, divided by the batch size, weight decay λ·W is added, the optimizer is applied
 * and batch-norm running statistics absorb the shards' batch statistics. Used by the single-process trainer and,
 * unchanged, by the cluster coordinator, so both produce the same bits.
 *
 * <p>With a 16-bit {@link WirePrecision} (bit reduction, ch. 8.3) the parameters and optimizer stay float, but the
 * shards compute with {@link #wireParams()}, the parameters rounded to that precision, and each shard's gradient sums
 * are rounded to it before they are added: exactly what a trip over the data plane does to them, so every executor
 * gives the same bits (on the cluster the values arrive rounded already, and rounding them again changes nothing).
 */
public final class ParameterServer {
    /** Batch-norm running-average momentum (the book's 0.9). */
    public static final float BN_MOMENTUM = 0.9f;
    private final Model model;
    private final float[] params;
    private final float[] state;
    private final Optimizer optimizer;
    private final float weightDecay;
    private final float[] grad;
    private final float[] stats;
    private final Parallel parallel;
    private final boolean hasBatchNorm;
    private final boolean[] decayMask;
    private final WirePrecision wire;
    /** The parameters as shards see them: params itself for fp32, else a rounded copy kept up to date range by range. */
    private final float[] wireParams;
    private volatile boolean wireOverflow;
    private ShardResult[] current;
    private float currentScale;
    private float currentLr;
    private int currentBatch;
    private double currentDecayLoss;
    private long stepApplyNanos;
    private int rangeBase;
    private final Parallel.Range updateFromBase = (from, to) -> updateRange(rangeBase + from, rangeBase + to);

    /** A server starting from the given parameters and state (used as is, not copied). */
    public ParameterServer(Model model, float[] params, float[] state, Optimizer optimizer, float weightDecay) {
        this(model, params, state, optimizer, weightDecay, Parallel.SERIAL);
    }

    /** As above, running the element-wise reduce and update over ranges with the given parallel-for. */
    public ParameterServer(Model model, float[] params, float[] state, Optimizer optimizer, float weightDecay,
                           Parallel parallel) {
        this(model, params, state, optimizer, weightDecay, parallel, WirePrecision.FP32);
    }

    /** As above, with gradients and the parameters shards compute with rounded to the wire precision. */
    public ParameterServer(Model model, float[] params, float[] state, Optimizer optimizer, float weightDecay,
                           Parallel parallel, WirePrecision wire) {
        if (params.length != model.paramCount() || state.length != model.stateCount()) {
            throw new IllegalArgumentException("parameters/state sizes " + params.length + "/" + state.length
                    + " do not match the model's " + model.paramCount() + "/" + model.stateCount());
        }
        this.model = model;
        this.params = params;
        this.state = state;
        this.optimizer = optimizer;
        this.weightDecay = weightDecay;
        this.grad = new float[params.length];
        this.stats = new float[state.length];
        this.parallel = parallel;
        this.hasBatchNorm = !model.batchNormStates().isEmpty();
        this.decayMask = new boolean[params.length];
        for (int[] r : model.weightRanges()) {
            java.util.Arrays.fill(decayMask, r[0], r[0] + r[1], true);
        }
        this.wire = wire;
        this.wireParams = wire == WirePrecision.FP32 ? params : new float[params.length];
        wireOverflow = wire.round(params, wireParams, 0, params.length);
    }

    /** The parameters the shards compute with: {@link #params()} rounded to the wire precision (the same array for fp32). */
    public float[] wireParams() {
        return wireParams;
    }

    /** The wire precision gradients and the parameters shards see are rounded to. */
    public WirePrecision wirePrecision() {
        return wire;
    }

    /**
     * Whether a gradient sum or parameter has been infinite after rounding to the wire precision: with fp16, a value
     * beyond ±65504 overflowed (the training then diverges).
     */
    public boolean wireOverflow() {
        return wireOverflow;
    }

    /** The live parameter vector. */
    public float[] params() {
        return params;
    }

    /** The live state vector. */
    public float[] state() {
        return state;
    }

    /** The optimizer (for checkpoints). */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** ½·λ·ΣW² over the weights: the weight-decay term of the loss. */
    public double decayLoss() {
        if (weightDecay == 0f) {
            return 0;
        }
        double sum = 0;
        for (int[] r : model.weightRanges()) {
            for (int i = r[0]; i < r[0] + r[1]; i++) {
                sum += (double) params[i] * params[i];
            }
        }
        return 0.5 * weightDecay * sum;
    }

    /**
     * Applies one step from the results of all K shards (in index order) of a batch of batchSize samples with
     * learning rate lr (their gradient sums are rounded to the wire precision in place first). Returns the batch's mean loss including the weight-decay term (before the update).
     */
    public double apply(ShardResult[] results, int batchSize, float lr) {
        begin(results, batchSize, lr);
        applyRange(0, params.length);
        return finish();
    }

    /**
     * Starts a step applied range by range ({@link #applyRange}) as the shards' gradients come in, for an executor
     * that receives them piece by piece; {@link #finish} ends it once every shard's result is complete. The update is
     * element-wise, so the bits are those of {@link #apply} however the ranges fall. The weight-decay term of the loss
     * is taken now, from the parameters before any range is updated.
     */
    public void begin(ShardResult[] results, int batchSize, float lr) {
        current = results;
        currentScale = 1f / batchSize;
        currentLr = lr;
        currentBatch = batchSize;
        currentDecayLoss = decayLoss();
        stepApplyNanos = 0;
        optimizer.beginStep(params.length);
    }

    /** Reduces and applies parameters [from, to), whose gradients every shard has delivered. */
    public void applyRange(int from, int to) {
        if (to <= from) {
            return;
        }
        long t0 = System.nanoTime();
        rangeBase = from;
        parallel.forRanges(to - from, updateFromBase);
        stepApplyNanos += System.nanoTime() - t0;
    }

    /** Ends the step: batch-norm running statistics from every shard; returns the batch's mean loss as apply does. */
    public double finish() {
        long t0 = System.nanoTime();
        double lossSum = 0;
        for (ShardResult r : current) {
            lossSum += r.lossSum;
        }
        updateRunningStats(current);
        current = null;
        stepApplyNanos += System.nanoTime() - t0;
        return lossSum / currentBatch + currentDecayLoss;
    }

    /** Time this step spent reducing and updating (all ranges and finish), in nanoseconds. */
    public long stepApplyNanos() {
        return stepApplyNanos;
    }

    /** Reduce, weight decay and optimizer for parameters [from, to): element-wise, so ranges run in parallel. */
    private void updateRange(int from, int to) {
        if (wire != WirePrecision.FP32) {
            boolean inf = false;
            for (ShardResult r : current) {
                inf |= wire.round(r.grads, r.grads, from, to);
            }
            if (inf) {
                wireOverflow = true;
            }
        }
        reduceInShardOrder(current, currentScale, from, to);
        if (weightDecay != 0f) {
            for (int i = from; i < to; i++) {
                if (decayMask[i]) {
                    grad[i] += weightDecay * params[i];
                }
            }
        }
        optimizer.update(params, grad, currentLr, from, to);
        if (wire != WirePrecision.FP32 && wire.round(params, wireParams, from, to)) {
            wireOverflow = true;
        }
    }

    /**
     * grad[i] = (g0[i] + g1[i] + … + g(K−1)[i]) · scale for i in [from, to), added left to right: one pass over
     * memory, and for each element the same additions in the same order as summing whole buffers shard by shard.
     */
    private void reduceInShardOrder(ShardResult[] results, float scale, int start, int end) {
        float[] g0 = results[0].grads;
        switch (results.length) {
            case 1 -> {
                for (int i = start; i < end; i++) {
                    grad[i] = g0[i] * scale;
                }
            }
            case 2 -> {
                float[] g1 = results[1].grads;
                for (int i = start; i < end; i++) {
                    grad[i] = (g0[i] + g1[i]) * scale;
                }
            }
            default -> {
                // Blocks that stay in cache, each summed shard by shard.
                int block = 4096;
                for (int from = start; from < end; from += block) {
                    int to = Math.min(end, from + block);
                    System.arraycopy(g0, from, grad, from, to - from);
                    for (int k = 1; k < results.length; k++) {
                        float[] g = results[k].grads;
                        for (int i = from; i < to; i++) {
                            grad[i] += g[i];
                        }
                    }
                    for (int i = from; i < to; i++) {
                        grad[i] *= scale;
                    }
                }
            }
        }
    }

    private void updateRunningStats(ShardResult[] results) {
        if (!hasBatchNorm) {
            return;
        }
        // Mean over shards (in shard order) of each shard's batch mean and variance.
        System.arraycopy(results[0].batchStats, 0, stats, 0, stats.length);
        for (int k = 1; k < results.length; k++) {
            float[] s = results[k].batchStats;
            for (int i = 0; i < stats.length; i++) {
                stats[i] += s[i];
            }
        }
        float inv = 1f / results.length;
        for (int i = 0; i < state.length; i++) {
            state[i] = BN_MOMENTUM * state[i] + (1 - BN_MOMENTUM) * (stats[i] * inv);
        }
    }
}

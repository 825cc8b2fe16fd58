package dptrain.train;

import dptrain.data.Dataset;
import dptrain.nn.ForwardContext;
import dptrain.nn.Model;
import dptrain.nn.Network;
import dptrain.nn.ParamStore;

/**
 * Computes shards on one replica: gathers the shard's samples from the dataset, runs forward, loss and backward,
 * and leaves gradient sums and batch statistics in a {@link ShardResult}. One per thread; allocates only at
 * construction.
 */
public final class ShardComputer {
    private final Network net;
    private final ParamStore store;
    private final float[] x;
    private final int[] labels;
    private final int inputSize;
    private final ForwardContext ctx = new ForwardContext();

    /** A computer for shards of up to maxShard samples. */
    public ShardComputer(Model model, int maxShard) {
        this.store = new ParamStore(null, null, null, null);
        this.net = model.replica(maxShard, store);
        this.inputSize = model.inputSize();
        this.x = new float[maxShard * inputSize];
        this.labels = new int[maxShard];
    }

    /**
     * Computes the shard holding batch positions [from, to) of {@code batch} (indices into data) at the given
     * step, with parameters and state as given, into out.
     */
    public void compute(Dataset data, int[] batch, int from, int to, long seed, long step,
                        float[] params, float[] state, ShardResult out) {
        compute(data, batch, from, to, seed, step, params, state, out, null);
    }

    /** As above, telling progress which parameters each layer needs and which gradients are final. */
    public void compute(Dataset data, int[] batch, int from, int to, long seed, long step,
                        float[] params, float[] state, ShardResult out, Network.Progress progress) {
        int n = to - from;
        float[] src = data.x();
        int[] srcLabels = data.labels();
        for (int i = 0; i < n; i++) {
            int idx = batch[from + i];
            System.arraycopy(src, idx * inputSize, x, i * inputSize, inputSize);
            labels[i] = srcLabels[idx];
        }
        store.params = params;
        store.state = state;
        store.grads = out.grads;
        store.batchStats = out.batchStats;
        out.lossSum = net.lossAndGradient(x, n, labels, 0, ctx.training(seed, step, from), progress);
    }
}

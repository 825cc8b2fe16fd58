package dptrain.nn;

import dptrain.nn.layers.Absorbed;
import dptrain.nn.layers.Layer;
import dptrain.nn.layers.LayerSetup;
import dptrain.nn.layers.Pooling;
import java.util.List;

/**
 * One replica of a model: its layers with their workspaces, over a {@link ParamStore}. A replica is used by one
 * thread at a time; several replicas share the same parameter array.
 */
public final class Network {
    private final Model model;
    private final Layer[] layers;
    private final Loss loss;
    private final ParamStore store;
    private final int maxBatch;
    private float[] lastOutput;
    /** Where each layer's parameters start (execution order) and end (the next layer's start). */
    private final int[] paramStart;
    private final int[] paramEnd;

    /**
     * Hooks into {@link #lossAndGradient} for a caller that overlaps communication with compute (a cluster worker):
     * told before each layer's forward pass which parameters it needs, and after each layer's backward pass which
     * gradients are final. Neither may change anything the network reads; both may block.
     */
    public interface Progress {
        /** Parameters [0, end) must be in place before the next layer runs. */
        void needParams(int end);

        /** Gradient sums [start, paramCount) are final (and every batch statistic: they come from the forward pass). */
        void gradsFinal(int start);

        /** The loss sum of the shard is known (after the forward pass, before any gradient is final). */
        default void lossKnown(double lossSum) {}
    }

    Network(Model model, int maxBatch, ParamStore store) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        this.model = model;
        this.maxBatch = maxBatch;
        this.store = store;
        List<LayerSpec> specs = model.spec().layers();
        this.layers = new Layer[specs.size()];
        for (int i = 0; i < specs.size(); i++) {
            if (reluBeforeMaxPool(specs, i)) {
                // relu(maxpool(x)) = maxpool(relu(x)), values and gradients bit for bit (max is monotone, and
                // the first maximum wins either way), so pool first and apply ReLU to a quarter of the values,
                // in the pooling loop itself; the ReLU's place holds a pass-through.
                int[] pooled = model.outShape(i + 1);
                LayerSpec.PoolSpec p = (LayerSpec.PoolSpec) specs.get(i + 1);
                layers[i] = new Pooling(new LayerSetup(model.inShape(i), pooled, maxBatch, store,
                        model.paramOffset(i + 1), model.stateOffset(i + 1), i > 0), true, p.size(), p.stride(),
                        p.pad(), true);
                layers[i + 1] = new Absorbed(new LayerSetup(pooled, pooled, maxBatch, store,
                        model.paramOffset(i), model.stateOffset(i), true));
                i++;
                continue;
            }
            LayerSetup setup = new LayerSetup(model.inShape(i), model.outShape(i), maxBatch, store,
                    model.paramOffset(i), model.stateOffset(i), i > 0);
            layers[i] = specs.get(i).create(setup, i);
        }
        this.loss = new Loss(model.spec().loss(), model.outputs(), maxBatch);
        this.paramStart = new int[layers.length];
        this.paramEnd = new int[layers.length];
        for (int i = 0; i < layers.length; i++) {
            paramStart[i] = layers[i].paramOffset();
        }
        for (int i = 0; i < layers.length; i++) {
            paramEnd[i] = i + 1 < layers.length ? Math.max(paramStart[i], paramStart[i + 1]) : model.paramCount();
        }
    }

    private static boolean reluBeforeMaxPool(List<LayerSpec> specs, int i) {
        return i + 1 < specs.size() && specs.get(i) instanceof LayerSpec.Simple s && s.name().equals("relu")
                && specs.get(i + 1) instanceof LayerSpec.PoolSpec p && p.max();
    }

    /** The layers in execution order (for benchmarks that time them one by one). */
    public Layer[] layers() {
        return layers.clone();
    }

    /** The model this replica computes. */
    public Model model() {
        return model;
    }

    /** The buffers this replica reads and writes. */
    public ParamStore store() {
        return store;
    }

    /** Largest batch this replica accepts. */
    public int maxBatch() {
        return maxBatch;
    }

    /** Output scores for n samples of x (n × inputSize); valid until the next call. */
    public float[] forward(float[] x, int n, ForwardContext ctx) {
        return forward(x, n, ctx, null);
    }

    private float[] forward(float[] x, int n, ForwardContext ctx, Progress progress) {
        checkBatch(n);
        float[] a = x;
        int have = 0;
        for (int i = 0; i < layers.length; i++) {
            if (progress != null && paramEnd[i] > have) {
                have = paramEnd[i];
                progress.needParams(have);
            }
            a = layers[i].forward(a, n, ctx);
        }
        lastOutput = a;
        return a;
    }

    /**
     * Forward, loss and backward for one shard: writes the shard's gradient sums into the store's grads (and batch
     * statistics into its batchStats) and returns the sum of the samples' losses.
     */
    public double lossAndGradient(float[] x, int n, int[] labels, int labelOff, ForwardContext ctx) {
        return lossAndGradient(x, n, labels, labelOff, ctx, null);
    }

    /** As {@link #lossAndGradient(float[], int, int[], int, ForwardContext)}, telling progress as it goes. */
    public double lossAndGradient(float[] x, int n, int[] labels, int labelOff, ForwardContext ctx, Progress progress) {
        float[] y = forward(x, n, ctx, progress);
        double sum = loss.forward(y, n, labels, labelOff);
        if (progress != null) {
            progress.lossKnown(sum);
        }
        float[] d = loss.backward();
        for (int i = layers.length - 1; i >= 0 && d != null; i--) {
            d = layers[i].backward(d, n);
            if (progress != null) {
                progress.gradsFinal(paramStart[i]);
            }
        }
        if (progress != null) {
            progress.gradsFinal(0);
        }
        return sum;
    }

    /** Loss sum of n samples without computing gradients (forward only). */
    public double lossOnly(float[] x, int n, int[] labels, int labelOff, ForwardContext ctx) {
        return loss.forward(forward(x, n, ctx), n, labels, labelOff);
    }

    /** Samples whose top score was the label in the last loss computation. */
    public int lastCorrect() {
        return loss.correct();
    }

    /** Output scores of the last forward. */
    public float[] lastOutput() {
        return lastOutput;
    }

    private void checkBatch(int n) {
        if (n < 1 || n > maxBatch) {
            throw new IllegalArgumentException("batch of " + n + " samples for a replica built for 1.." + maxBatch);
        }
    }
}

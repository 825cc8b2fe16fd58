package dptrain.nn;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;

/**
 * A network spec laid out over flat buffers: where each layer's parameters and state start, which ranges are
 * weights (initialized randomly, subject to weight decay) and which state belongs to batch norm. Immutable and
 * shared by every replica, thread and (later) node.
 */
public final class Model {
    private final NetSpec spec;
    private final int[][] shapes;
    private final int[] paramOffsets;
    private final int[] stateOffsets;
    private final int paramCount;
    private final int stateCount;
    private final List<int[]> weightRanges = new ArrayList<>();

    /** Lays out the spec. */
    public Model(NetSpec spec) {
        this.spec = spec;
        List<LayerSpec> layers = spec.layers();
        shapes = new int[layers.size() + 1][];
        paramOffsets = new int[layers.size()];
        stateOffsets = new int[layers.size()];
        shapes[0] = spec.inputShape();
        long p = 0;
        long s = 0;
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec l = layers.get(i);
            int[] in = shapes[i];
            shapes[i + 1] = l.outShape(in);
            paramOffsets[i] = (int) p;
            stateOffsets[i] = (int) s;
            if (l.weightCount(in) > 0) {
                weightRanges.add(new int[] {(int) p, l.weightCount(in), l.fanIn(in)});
            }
            p += l.paramCount(in);
            s += l.stateCount(in);
            if (p > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("network has more than 2^31 parameters: " + spec.describe());
            }
        }
        paramCount = (int) p;
        stateCount = (int) s;
    }

    /** The spec this model lays out. */
    public NetSpec spec() {
        return spec;
    }

    /**
     * Where each layer's parameter block starts in the flat vector, in layer order, without repeats (layers without
     * parameters share the next one's start); ends with {@link #paramCount()}. The data plane cuts its chunks here,
     * so a worker can start a layer as soon as its block has arrived and send a block as soon as it is final.
     */
    public int[] paramBoundaries() {
        return java.util.stream.IntStream.concat(java.util.Arrays.stream(paramOffsets),
                java.util.stream.IntStream.of(paramCount)).distinct().sorted().toArray();
    }

    /** Number of trainable parameters. */
    public int paramCount() {
        return paramCount;
    }

    /** Number of state values (batch-norm running statistics). */
    public int stateCount() {
        return stateCount;
    }

    /** Per-sample input size. */
    public int inputSize() {
        return LayerSpec.size(shapes[0]);
    }

    /** Number of output scores. */
    public int outputs() {
        return shapes[shapes.length - 1][0];
    }

    /** Weight ranges as {offset, length, fanIn}: what weight decay applies to. */
    public List<int[]> weightRanges() {
        return weightRanges;
    }

    /** Per-layer (input shape, output shape) of layer i. */
    int[] inShape(int i) {
        return shapes[i];
    }

    int[] outShape(int i) {
        return shapes[i + 1];
    }

    int paramOffset(int i) {
        return paramOffsets[i];
    }

    int stateOffset(int i) {
        return stateOffsets[i];
    }

    /** Batch-norm state ranges as {offset, channels}: running mean at offset, running variance after it. */
    public List<int[]> batchNormStates() {
        List<int[]> r = new ArrayList<>();
        for (int i = 0; i < spec.layers().size(); i++) {
            if (spec.layers().get(i) instanceof LayerSpec.BatchNormSpec) {
                int[] in = shapes[i];
                r.add(new int[] {stateOffsets[i], in[in.length - 1]});
            }
        }
        return r;
    }

    /** Initial parameters: weights drawn from N(0, scale²) of the spec's init with a seeded generator. */
    public float[] initialParams(long seed) {
        float[] params = new float[paramCount];
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        ZigguratSampler.NormalizedGaussian gauss = ZigguratSampler.NormalizedGaussian.of(rng);
        for (int i = 0; i < spec.layers().size(); i++) {
            spec.layers().get(i).initConstants(params, paramOffsets[i], shapes[i]);
        }
        for (int[] r : weightRanges) {
            double scale = spec.init().scale(r[2]);
            for (int j = r[0]; j < r[0] + r[1]; j++) {
                params[j] = (float) (scale * gauss.sample());
            }
        }
        return params;
    }

    /** Initial state: running means 0, running variances 1. */
    public float[] initialState() {
        float[] state = new float[stateCount];
        for (int i = 0; i < spec.layers().size(); i++) {
            spec.layers().get(i).initState(state, stateOffsets[i], shapes[i]);
        }
        return state;
    }

    /** A replica with workspaces for up to maxBatch samples over the given store. */
    public Network replica(int maxBatch, ParamStore store) {
        return new Network(this, maxBatch, store);
    }
}

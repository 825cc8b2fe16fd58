import dptrain.nn.ForwardContext;
import dptrain.nn.Init;
import dptrain.nn.Model;
import dptrain.nn.Nets;
import dptrain.nn.Network;
import dptrain.nn.ParamStore;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * Loaded once per library build by AbShard: forward, loss and backward of one 50-sample shard, {@code iters}
 * times, on synthetic MNIST-like inputs (a fifth of the pixels lit). Returns the nanoseconds taken.
 */
public final class ShardLoop implements LongSupplier {
    private static final int N = 50;
    private final Network net;
    private final float[] x;
    private final int[] labels;
    private final ForwardContext ctx = new ForwardContext().training(1, 1, 0);
    private final int iters;

    public ShardLoop(String model, int iters) {
        Model m = new Model(switch (model) {
            case "two-layer" -> Nets.twoLayer(50, Init.std(0.01));
            case "simple-cnn" -> Nets.simpleConv(Init.std(0.01));
            case "deep-cnn" -> Nets.deepConv(Init.he());
            default -> throw new IllegalArgumentException("model: expected two-layer, simple-cnn or deep-cnn, got " + model);
        });
        float[] params = m.initialParams(1);
        ParamStore store = new ParamStore(params, new float[params.length], m.initialState(),
                new float[m.stateCount()]);
        this.net = m.replica(N, store);
        Random r = new Random(1);
        this.x = new float[N * m.inputSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() < 0.2f ? r.nextFloat() : 0f;
        }
        this.labels = new int[N];
        for (int i = 0; i < N; i++) {
            labels[i] = r.nextInt(10);
        }
        this.iters = iters;
        System.err.println("  " + dptrain.tensor.Blas.description());
    }

    @Override
    public long getAsLong() {
        long t = System.nanoTime();
        for (int i = 0; i < iters; i++) {
            net.lossAndGradient(x, N, labels, 0, ctx);
        }
        return System.nanoTime() - t;
    }
}

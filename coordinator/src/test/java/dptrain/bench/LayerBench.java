package dptrain.bench;

import dptrain.nn.ForwardContext;
import dptrain.nn.Init;
import dptrain.nn.Model;
import dptrain.nn.Nets;
import dptrain.nn.ParamStore;
import dptrain.nn.layers.Layer;
import dptrain.tensor.Blas;
import java.util.Locale;
import java.util.Random;

/**
 * Times each layer's forward and backward pass for one shard on the calling thread: where a step's time goes.
 * Arguments: --model two-layer|simple-cnn|deep-cnn --samples N --iterations I --rounds R; prints per round.
 */
public final class LayerBench {
    private LayerBench() {}

    /** Runs the benchmark. */
    public static void main(String[] args) {
        String model = "simple-cnn";
        int n = 50;
        int iters = 200;
        int rounds = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> model = args[++i];
                case "--samples" -> n = Integer.parseInt(args[++i]);
                case "--iterations" -> iters = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "' (expected --model, "
                        + "--samples, --iterations, --rounds)");
            }
        }
        Model m = new Model(switch (model) {
            case "two-layer" -> Nets.twoLayer(50, Init.std(0.01));
            case "simple-cnn" -> Nets.simpleConv(Init.std(0.01));
            case "deep-cnn" -> Nets.deepConv(Init.he());
            default -> throw new IllegalArgumentException("--model: expected two-layer, simple-cnn or deep-cnn");
        });
        float[] params = m.initialParams(1);
        ParamStore store = new ParamStore(params, new float[params.length], m.initialState(),
                new float[m.stateCount()]);
        Layer[] layers = m.replica(n, store).layers();
        Random r = new Random(1);
        float[] x = new float[n * m.inputSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() < 0.2f ? r.nextFloat() : 0f;
        }
        float[] dy = new float[n * m.outputs()];
        java.util.Arrays.fill(dy, 0.01f);
        ForwardContext ctx = new ForwardContext().training(1, 1, 0);
        System.out.println(model + ", " + n + " samples per shard, 1 thread, BLAS " + Blas.description());
        for (int round = 0; round <= rounds; round++) {
            long[] fwd = new long[layers.length];
            long[] bwd = new long[layers.length];
            for (int it = 0; it < iters; it++) {
                float[] h = x;
                for (int i = 0; i < layers.length; i++) {
                    long t = System.nanoTime();
                    h = layers[i].forward(h, n, ctx);
                    fwd[i] += System.nanoTime() - t;
                }
                float[] d = dy;
                for (int i = layers.length - 1; i >= 0 && d != null; i--) {
                    long t = System.nanoTime();
                    d = layers[i].backward(d, n);
                    bwd[i] += System.nanoTime() - t;
                }
            }
            if (round == 0) {
                continue; // warm-up
            }
            long total = 0;
            for (int i = 0; i < layers.length; i++) {
                total += fwd[i] + bwd[i];
            }
            System.out.printf(Locale.ROOT, "round %d: %.0f us per shard (%.0f samples/s on one thread)%n", round,
                    total / 1e3 / iters, n / (total / 1e9 / iters));
            for (int i = 0; i < layers.length; i++) {
                System.out.printf(Locale.ROOT, "  %-2d %-12s forward %8.1f us   backward %8.1f us%n", i,
                        layers[i].getClass().getSimpleName(), fwd[i] / 1e3 / iters, bwd[i] / 1e3 / iters);
            }
        }
    }
}

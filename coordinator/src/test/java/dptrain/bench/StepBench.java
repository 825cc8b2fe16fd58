package dptrain.bench;

import dptrain.data.Dataset;
import dptrain.nn.Init;
import dptrain.nn.Model;
import dptrain.nn.NetSpec;
import dptrain.nn.Nets;
import dptrain.nn.optim.Optimizers;
import dptrain.tensor.Blas;
import dptrain.train.LocalShardExecutor;
import dptrain.train.ParameterServer;
import dptrain.train.ShardPlan;
import dptrain.train.ShardResult;
import dptrain.train.Trainer;
import java.util.Locale;
import java.util.Random;

/**
 * Times the trainer's step without data loading, evaluation or logging: the K shards on T threads ("compute")
 * and the ordered reduce plus optimizer ("apply"), on 60 000 synthetic MNIST-sized samples. Arguments:
 * --model two-layer|simple-cnn --virtual-shards K --threads T --steps S --rounds R; one JSON line per round.
 */
public final class StepBench {
    private StepBench() {}

    /** Runs the benchmark. */
    public static void main(String[] args) {
        String model = "two-layer";
        int k = 2;
        int threads = 2;
        int steps = 600;
        int rounds = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> model = args[++i];
                case "--virtual-shards" -> k = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "' (expected --model, "
                        + "--virtual-shards, --threads, --steps, --rounds)");
            }
        }
        NetSpec spec = switch (model) {
            case "two-layer" -> Nets.twoLayer(50, Init.std(0.01));
            case "simple-cnn" -> Nets.simpleConv(Init.std(0.01));
            default -> throw new IllegalArgumentException("--model: expected two-layer or simple-cnn, got " + model);
        };
        Model m = new Model(spec);
        int n = 60_000;
        int batch = 100;
        Random r = new Random(1);
        float[] x = new float[n * 784];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() < 0.2f ? r.nextFloat() : 0f; // MNIST-like: mostly zeros
        }
        Dataset data = Dataset.of("synthetic", x, r.ints(n, 0, 10).toArray(), new int[] {784}, 10);
        float[] params = m.initialParams(1);
        float[] state = m.initialState();
        String opt = model.equals("two-layer") ? "sgd" : "adam";
        ShardResult[] res = new ShardResult[k];
        for (int i = 0; i < k; i++) {
            res[i] = new ShardResult(m.paramCount(), m.stateCount());
        }
        int[] batchIdx = new int[batch];
        System.err.println("step bench: " + model + " K=" + k + " threads=" + threads + ", BLAS " + Blas.description());
        try (LocalShardExecutor ex = new LocalShardExecutor(m, threads, ShardPlan.maxShard(batch, k))) {
            ParameterServer ps = new ParameterServer(m, params, state, Optimizers.create(opt), 0f, ex.pool());
            long step = 0;
            int[] perm = null;
            long permEpoch = -1;
            for (int round = 0; round <= rounds; round++) {
                long compute = 0;
                long apply = 0;
                for (int s = 0; s < steps; s++, step++) {
                    int epochStep = (int) (step % (n / batch));
                    if (step / (n / batch) != permEpoch) {
                        permEpoch = step / (n / batch);
                        perm = Trainer.permutation(n, 1, permEpoch);
                    }
                    System.arraycopy(perm, epochStep * batch, batchIdx, 0, batch);
                    long t0 = System.nanoTime();
                    ex.computeShards(data, batchIdx, batch, 1, step, params, state, res);
                    long t1 = System.nanoTime();
                    ps.apply(res, batch, model.equals("two-layer") ? 0.1f : 0.001f);
                    apply += System.nanoTime() - t1;
                    compute += t1 - t0;
                }
                if (round == 0) {
                    continue; // warm-up
                }
                System.out.printf(Locale.ROOT, "{\"bench\":\"step\",\"model\":\"%s\",\"k\":%d,\"threads\":%d,\"blas\":\"%s\","
                                + "\"compute_us\":%.1f,\"apply_us\":%.1f,\"samples_per_second\":%.0f}%n", model, k, threads,
                        Blas.isNative() ? Blas.description().replaceAll(".*/([^/,]*),.*", "$1") : "java",
                        compute / 1e3 / steps, apply / 1e3 / steps, steps * (double) batch / ((compute + apply) / 1e9));
            }
        }
    }
}

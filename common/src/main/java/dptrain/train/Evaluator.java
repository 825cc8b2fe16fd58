package dptrain.train;

import dptrain.data.Dataset;
import dptrain.nn.ForwardContext;
import dptrain.nn.Model;
import dptrain.nn.Network;
import dptrain.nn.ParamStore;

/**
 * Scores parameters on a dataset in inference mode (running statistics, no dropout): mean loss and accuracy.
 * Chunks are fixed and summed in order, so the result does not depend on the number of threads. The chunks run on
 * the lanes of a {@link ComputePool}: the trainer's own, or one the evaluator makes (and closes) itself.
 */
public final class Evaluator implements AutoCloseable {
    /** Samples per forward pass. */
    public static final int CHUNK = 250;
    private final Model model;
    private final ComputePool pool;
    private final boolean ownsPool;
    private final Replica[] replicas;

    /** Loss and accuracy of a dataset. */
    public record Score(double loss, double accuracy, int samples) {}

    private static final class Replica {
        final ParamStore store = new ParamStore(null, null, null, null);
        final Network net;
        final float[] x;

        Replica(Model m) {
            net = m.replica(CHUNK, store);
            x = new float[CHUNK * m.inputSize()];
        }
    }

    /** An evaluator on its own pool of the given number of threads, closed with it. */
    public Evaluator(Model model, int threads) {
        this(model, new ComputePool(threads, "dptrain-eval", 0), true);
    }

    /** An evaluator on a pool it shares (and does not close), e.g. the trainer's. */
    public Evaluator(Model model, ComputePool pool) {
        this(model, pool, false);
    }

    private Evaluator(Model model, ComputePool pool, boolean ownsPool) {
        this.model = model;
        this.pool = pool;
        this.ownsPool = ownsPool;
        this.replicas = new Replica[pool.threads()];
    }

    /** Scores the first {@code limit} samples of data (all if limit ≤ 0 or larger than the set). */
    public Score score(float[] params, float[] state, Dataset data, int limit) {
        int n = limit <= 0 ? data.size() : Math.min(limit, data.size());
        if (n == 0) {
            return new Score(Double.NaN, Double.NaN, 0);
        }
        int chunks = (n + CHUNK - 1) / CHUNK;
        double[] losses = new double[chunks];
        int[] correct = new int[chunks];
        int in = model.inputSize();
        for (int first = 0; first < chunks; first += ComputePool.MAX_TASKS) {
            int base = first;
            pool.run(Math.min(ComputePool.MAX_TASKS, chunks - first), (task, lane) -> {
                Replica r = replicas[lane];
                if (r == null) {
                    r = replicas[lane] = new Replica(model); // each lane only ever touches its own slot
                }
                r.store.params = params;
                r.store.state = state;
                int c = base + task;
                int from = c * CHUNK;
                int len = Math.min(CHUNK, n - from);
                System.arraycopy(data.x(), from * in, r.x, 0, len * in);
                losses[c] = r.net.lossOnly(r.x, len, data.labels(), from, ForwardContext.inference());
                correct[c] = r.net.lastCorrect();
            });
        }
        double loss = 0;
        long hits = 0;
        for (int c = 0; c < chunks; c++) {
            loss += losses[c];
            hits += correct[c];
        }
        return new Score(loss / n, (double) hits / n, n);
    }

    @Override
    public void close() {
        if (ownsPool) {
            pool.close();
        }
    }
}

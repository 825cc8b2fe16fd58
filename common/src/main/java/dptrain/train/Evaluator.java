package dptrain.train;

import dptrain.data.Dataset;
import dptrain.nn.ForwardContext;
import dptrain.nn.Model;
import dptrain.nn.Network;
import dptrain.nn.ParamStore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scores parameters on a dataset in inference mode (running statistics, no dropout): mean loss and accuracy.
 * Chunks are fixed, so the result does not depend on the number of threads.
 */
public final class Evaluator implements AutoCloseable {
    /** Samples per forward pass. */
    public static final int CHUNK = 250;
    private final Model model;
    private final ExecutorService pool;
    private final int threads;
    private final ThreadLocal<Replica> replicas;

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

    /** An evaluator for the model on the given number of threads. */
    public Evaluator(Model model, int threads) {
        this.model = model;
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "dptrain-eval");
            t.setDaemon(true);
            return t;
        });
        this.replicas = ThreadLocal.withInitial(() -> new Replica(model));
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
        AtomicInteger next = new AtomicInteger();
        Runnable task = () -> {
            Replica r = replicas.get();
            r.store.params = params;
            r.store.state = state;
            int in = model.inputSize();
            ForwardContext ctx = ForwardContext.inference();
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                int from = c * CHUNK;
                int len = Math.min(CHUNK, n - from);
                System.arraycopy(data.x(), from * in, r.x, 0, len * in);
                losses[c] = r.net.lossOnly(r.x, len, data.labels(), from, ctx);
                correct[c] = r.net.lastCorrect();
            }
        };
        try {
            Future<?>[] fs = new Future<?>[threads];
            for (int t = 0; t < threads; t++) {
                fs[t] = pool.submit(task);
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("evaluation interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("evaluation failed: " + e.getCause(), e.getCause());
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
        pool.shutdownNow();
    }
}

package dptrain.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A {@link Parallel} on a small pool of helper threads that block while idle (no spinning), for a caller that has
 * nothing else to keep threads warm for: the cluster coordinator, whose reduce and optimizer update run while the
 * workers wait. [0, n) is cut into {@code threads} contiguous ranges; the caller runs the first.
 */
public final class PooledParallel implements Parallel, AutoCloseable {
    private final int threads;
    private final ExecutorService pool;

    /** A pool of threads − 1 helpers (none for one thread). */
    public PooledParallel(int threads, String name) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void forRanges(int n, Range body) {
        if (pool == null || n < LocalShardExecutor.MIN_PARALLEL_ELEMENTS) {
            body.run(0, n);
            return;
        }
        List<Future<?>> parts = new ArrayList<>(threads - 1);
        for (int k = 1; k < threads; k++) {
            int from = (int) ((long) n * k / threads);
            int to = (int) ((long) n * (k + 1) / threads);
            parts.add(pool.submit(() -> body.run(from, to)));
        }
        body.run(0, (int) ((long) n / threads));
        for (Future<?> f : parts) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted in a parallel update", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("a parallel update failed: " + e.getCause(), e.getCause());
            }
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}

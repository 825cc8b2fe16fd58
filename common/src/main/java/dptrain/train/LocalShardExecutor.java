package dptrain.train;

import dptrain.data.Dataset;
import dptrain.nn.Model;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the shards of a step on T threads of this JVM (the calling thread is one of them). Threads take shards in
 * any order; each shard is computed on its own into its own result, so the outcome is the same for every T.
 *
 * <p>Steps of small networks take a few hundred microseconds, less than it takes the OS to wake a parked thread,
 * so a helper spins for a bounded time ({@link #SPIN_NANOS}) after each job before it parks: between steps it is
 * ready at once, and an idle executor sleeps.
 */
public final class LocalShardExecutor implements ShardExecutor {
    /** How long a helper keeps polling for the next step before parking. */
    static final long SPIN_NANOS = 2_000_000L;
    private final ShardComputer[] computers;
    private final Thread[] helpers;
    private volatile Job job;
    private volatile boolean closed;

    /**
     * One step's work. The counters live in the job, not the executor: a helper that comes back late from step t
     * can then only bump step t's counters, never take a shard of step t + 1 with step t's batch.
     */
    private record Job(Dataset data, int[] batch, int batchSize, long seed, long step, float[] params, float[] state,
                       ShardResult[] results, long generation, AtomicInteger next, AtomicInteger done,
                       AtomicReference<Throwable> failure) {}

    private long generation;

    /** An executor for the model with {@code threads} threads and shards of up to maxShard samples. */
    public LocalShardExecutor(Model model, int threads, int maxShard) {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        computers = new ShardComputer[threads];
        for (int i = 0; i < threads; i++) {
            computers[i] = new ShardComputer(model, maxShard);
        }
        helpers = new Thread[threads - 1];
        for (int i = 0; i < helpers.length; i++) {
            ShardComputer c = computers[i + 1];
            helpers[i] = new Thread(() -> helperLoop(c), "dptrain-shard-" + (i + 1));
            helpers[i].setDaemon(true);
            helpers[i].start();
        }
    }

    /** Number of threads computing shards. */
    public int threads() {
        return computers.length;
    }

    @Override
    public void computeShards(Dataset data, int[] batch, int batchSize, long seed, long step,
                              float[] params, float[] state, ShardResult[] results) {
        Job j = new Job(data, batch, batchSize, seed, step, params, state, results, ++generation,
                new AtomicInteger(), new AtomicInteger(), new AtomicReference<>());
        job = j;
        for (Thread t : helpers) {
            LockSupport.unpark(t);
        }
        work(j, computers[0]);
        // Wait for the helpers to finish the shards they took.
        int spins = 0;
        while (j.done.get() < results.length) {
            if (++spins < 2000) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(20_000);
            }
        }
        job = null;
        Throwable f = j.failure.get();
        if (f != null) {
            throw new IllegalStateException("shard computation failed: " + f, f);
        }
    }

    private void work(Job j, ShardComputer c) {
        int k;
        int shards = j.results.length;
        while ((k = j.next.getAndIncrement()) < shards) {
            try {
                c.compute(j.data, j.batch, ShardPlan.start(j.batchSize, shards, k), ShardPlan.end(j.batchSize, shards, k),
                        j.seed, j.step, j.params, j.state, j.results[k]);
            } catch (Throwable t) {
                j.failure.compareAndSet(null, t);
            } finally {
                j.done.incrementAndGet();
            }
        }
    }

    private void helperLoop(ShardComputer c) {
        long seen = 0;
        long idleSince = System.nanoTime();
        while (!closed) {
            Job j = job;
            if (j == null || j.generation == seen) {
                if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(500_000);
                }
                continue;
            }
            seen = j.generation;
            work(j, c);
            idleSince = System.nanoTime();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : helpers) {
            LockSupport.unpark(t);
        }
    }
}

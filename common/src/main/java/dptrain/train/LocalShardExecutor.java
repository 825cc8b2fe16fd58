package dptrain.train;

import dptrain.data.Dataset;
import dptrain.nn.Model;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the shards of a step on T threads of this JVM (the calling thread is one of them), and element-wise work
 * over fixed ranges ({@link Parallel}). Threads take tasks in any order; a shard is computed on its own into its
 * own result and a range is a fixed slice, so the outcome is the same for every T.
 *
 * <p>Tasks are handed out by one ticket word, generation (32 bits) | task count (16) | next task (16), taken by
 * compare-and-set. Everything a thread checks before taking a task is in that one word, so a thread that comes
 * back late from one job (old generation) can take nothing of the next, even while the caller is already
 * writing the next job's fields. Nothing is allocated per step. Steps of small networks take a few hundred microseconds, less than it takes the OS to
 * wake a parked thread, so a helper spins for a bounded time ({@link #SPIN_NANOS}) after each job before it parks.
 */
public final class LocalShardExecutor implements ShardExecutor, Parallel {
    /** How long a helper keeps polling for the next step before parking. */
    static final long SPIN_NANOS = 2_000_000L;
    /** Below this many elements a parallel-for runs on the calling thread. */
    static final int MIN_PARALLEL_ELEMENTS = 1 << 15;

    private final ShardComputer[] computers;
    private final Thread[] helpers;
    private final AtomicLong ticket = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private volatile long generation;
    private volatile boolean closed;
    private volatile Throwable failure;

    // The current job, written by the caller before it publishes the generation.
    private Dataset data;
    private int[] batch;
    private int batchSize;
    private long seed;
    private long step;
    private float[] params;
    private float[] state;
    private ShardResult[] results;
    private Parallel.Range range;
    private int rangeN;

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

    @Override
    public void computeShards(Dataset data, int[] batch, int batchSize, long seed, long step,
                              float[] params, float[] state, ShardResult[] results) {
        this.data = data;
        this.batch = batch;
        this.batchSize = batchSize;
        this.seed = seed;
        this.step = step;
        this.params = params;
        this.state = state;
        this.results = results;
        this.range = null;
        run(results.length);
    }

    @Override
    public void forRanges(int n, Parallel.Range body) {
        int parts = computers.length;
        if (parts == 1 || n < MIN_PARALLEL_ELEMENTS) {
            body.run(0, n);
            return;
        }
        this.range = body;
        this.rangeN = n;
        run(parts);
    }

    private void run(int count) {
        if (count > 0xFFFF) {
            throw new IllegalArgumentException("at most 65535 tasks per job, got " + count);
        }
        long g = generation + 1;
        failure = null;
        done.set(g << 32);
        ticket.set((g << 32) | ((long) count << 16));
        generation = g; // publishes the job's fields, written before this call, to the helpers
        for (Thread t : helpers) {
            LockSupport.unpark(t);
        }
        work(g, computers[0]);
        long finished = (g << 32) | count;
        int spins = 0;
        while (done.get() != finished) {
            if (++spins < 2000) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(20_000);
            }
        }
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("shard computation failed: " + f, f);
        }
    }

    private void work(long g, ShardComputer c) {
        while (true) {
            long v = ticket.get();
            int k = (int) (v & 0xFFFF);
            int count = (int) ((v >>> 16) & 0xFFFF);
            if ((v >>> 32) != (g & 0xFFFF_FFFFL) || k >= count) {
                return;
            }
            if (!ticket.compareAndSet(v, v + 1)) {
                continue;
            }
            // Holding task k of generation g: the caller waits for it, so the job's fields are g's.
            try {
                if (range != null) {
                    int parts = count;
                    range.run((int) ((long) rangeN * k / parts), (int) ((long) rangeN * (k + 1) / parts));
                } else {
                    int shards = results.length;
                    c.compute(data, batch, ShardPlan.start(batchSize, shards, k), ShardPlan.end(batchSize, shards, k),
                            seed, step, params, state, results[k]);
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                done.incrementAndGet();
            }
        }
    }

    private void helperLoop(ShardComputer c) {
        long seen = 0;
        long idleSince = System.nanoTime();
        while (!closed) {
            long g = generation;
            if (g == seen) {
                if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(500_000);
                }
                continue;
            }
            seen = g;
            work(g, c);
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

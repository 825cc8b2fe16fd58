package dptrain.train;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads of one JVM that a step may use: the calling thread (lane 0) and {@code threads − 1} helpers (lanes 1 …),
 * for the shards of a step ({@link LocalShardExecutor}), the optimizer's element-wise update ({@link Parallel}) and
 * evaluation ({@link Evaluator}). One pool serves all three, one job at a time, submitted by one thread at a time.
 *
 * <p>A job is {@code count} tasks taken in any order by whichever lane is free; each task writes only its own
 * output, so the outcome is the same for every number of threads. Tasks are handed out by one ticket word,
 * generation (32 bits) | task count (16) | next task (16), taken by compare-and-set. Everything a thread checks
 * before taking a task is in that one word, so a thread that comes back late from one job (old generation) can take
 * nothing of the next, even while the caller is already writing the next job's fields. Nothing is allocated per job.
 *
 * <p>After a job a helper spins for {@code spinNanos} before it parks: steps of small networks take a few hundred
 * microseconds, less than it takes the OS to wake a parked thread. A pool whose caller has better things for the
 * cores to do between jobs (the cluster coordinator, whose workers compute meanwhile) passes 0 and its helpers park
 * at once; a parked helper costs nothing until the next job unparks it.
 */
public final class ComputePool implements Parallel, AutoCloseable {
    /** How long the shard pool's helpers keep polling for the next step before parking. */
    public static final long SPIN_NANOS = 2_000_000L;
    /** Below this many elements a parallel-for runs on the calling thread. */
    public static final int MIN_PARALLEL_ELEMENTS = 1 << 15;
    /** The most tasks of one job. */
    public static final int MAX_TASKS = 0xFFFF;

    /** One task of a job. */
    @FunctionalInterface
    public interface Task {
        /** Runs task {@code task} on lane {@code lane} (0 = the caller, 1 … threads − 1 the helpers). */
        void run(int task, int lane);
    }

    private final Thread[] helpers;
    private final long spinNanos;
    private final AtomicLong ticket = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private volatile long generation;
    private volatile boolean closed;
    private volatile Throwable failure;

    // The current job, written by the caller before it publishes the generation.
    private Task task;
    private Parallel.Range range;
    private int rangeN;
    private final Task rangeTask = (k, lane) -> {
        int parts = threads();
        range.run((int) ((long) rangeN * k / parts), (int) ((long) rangeN * (k + 1) / parts));
    };

    /** A pool of {@code threads} lanes (the caller's and threads − 1 daemon helpers named name-1, name-2 …). */
    public ComputePool(int threads, String name, long spinNanos) {
        if (threads < 1) {
            throw new dptrain.util.InvalidSetting("threads", threads, "an integer >= 1");
        }
        this.spinNanos = spinNanos;
        helpers = new Thread[threads - 1];
        for (int i = 0; i < helpers.length; i++) {
            int lane = i + 1;
            helpers[i] = new Thread(() -> helperLoop(lane), name + "-" + lane);
            helpers[i].setDaemon(true);
            helpers[i].start();
        }
    }

    /** Lanes: the caller and the helpers. */
    public int threads() {
        return helpers.length + 1;
    }

    /** Runs tasks 0 … count − 1 on the lanes; returns when all are done, or throws the first task's failure. */
    public void run(int count, Task body) {
        if (count > MAX_TASKS) {
            throw new IllegalArgumentException("at most " + MAX_TASKS + " tasks per job, got " + count);
        }
        if (closed) {
            throw new IllegalStateException("the compute pool is closed");
        }
        this.task = body;
        long g = generation + 1;
        failure = null;
        done.set(g << 32);
        ticket.set((g << 32) | ((long) count << 16));
        generation = g; // publishes the job's fields, written before this line, to the helpers
        for (Thread t : helpers) {
            LockSupport.unpark(t);
        }
        work(g, 0);
        long finished = (g << 32) | count;
        int spins = 0;
        while (done.get() != finished) {
            if (++spins < 2000) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(20_000);
            }
        }
        this.task = null;
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("a parallel task failed: " + f, f);
        }
    }

    @Override
    public void forRanges(int n, Parallel.Range body) {
        if (helpers.length == 0 || n < MIN_PARALLEL_ELEMENTS) {
            body.run(0, n);
            return;
        }
        this.range = body;
        this.rangeN = n;
        try {
            run(threads(), rangeTask);
        } finally {
            this.range = null;
        }
    }

    private void work(long g, int lane) {
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
                task.run(k, lane);
            } catch (Throwable t) {
                failure = t;
            } finally {
                done.incrementAndGet();
            }
        }
    }

    private void helperLoop(int lane) {
        long seen = 0;
        long idleSince = System.nanoTime();
        while (!closed) {
            long g = generation;
            if (g == seen) {
                if (System.nanoTime() - idleSince < spinNanos) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this); // the next job (or close) unparks it after publishing its generation
                }
                continue;
            }
            seen = g;
            work(g, lane);
            idleSince = System.nanoTime();
        }
    }

    /** Stops the helpers (a job still running finishes first on the caller's side). */
    @Override
    public void close() {
        closed = true;
        for (Thread t : helpers) {
            LockSupport.unpark(t);
        }
    }
}

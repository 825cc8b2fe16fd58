package dptrain.worker;

import dptrain.cluster.transport.Authenticator;
import dptrain.cluster.transport.DataPlane;
import dptrain.cluster.transport.Delivery;
import dptrain.cluster.transport.DropReason;
import dptrain.cluster.transport.Frame;
import dptrain.cluster.transport.OutgoingMessage;
import dptrain.cluster.transport.Receiver;
import dptrain.cluster.transport.VectorLayout;
import dptrain.cluster.transport.Vectors;
import dptrain.data.Dataset;
import dptrain.nn.Model;
import dptrain.tensor.WirePrecision;
import dptrain.train.ShardComputer;
import dptrain.train.ShardPlan;
import dptrain.train.ShardResult;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import org.agrona.concurrent.IdleStrategy;

/**
 * A worker's compute thread for one job: computes the shards it is assigned, each with the newest parameters on its
 * replica, and sends their gradient sums to the coordinator; a second thread takes assignments and parameters off
 * the data plane as they arrive (an assignment ahead of the parameters of its step, on the same stream) and hands the
 * assignments over in a queue. The actor only sets the job up and tears it down: no per-step message goes through
 * Akka, whose hop cost more than the parameters' transfer (docs/benchmarks-history.md).
 *
 * <p>Communication overlaps compute, as PyTorch DDP's gradient buckets do, without changing a bit: parameters are
 * copied in chunk by chunk as they arrive (chunks end at layer boundaries), and a layer's forward pass waits only for
 * its own block; gradient chunks are sealed and sent, last layer first, as soon as the backward pass has made them
 * final, while the earlier layers' backward runs.
 */
final class GradientEngine implements Runnable, dptrain.nn.Network.Progress {
    /** How long a send may stay blocked before the worker reports failure. */
    static final long SEND_TIMEOUT_NANOS = 30_000_000_000L;

    private final long jobId;
    private final int workerId;
    private final Dataset data;
    private final int batchSize;
    private final int shards;
    private final long seed;
    private final ShardComputer computer;
    private final ShardResult result;
    private final Subscription paramsIn;
    private final Publication gradsOut;
    private final Receiver receiver;
    private final OutgoingMessage out;
    private final float[] params;
    private final float[] state;
    /** Where parameters or gradient sums (at the job's wire precision) and the state lie in a vector's payload. */
    private final VectorLayout layout;
    private final LinkedBlockingQueue<Assignment> queue = new LinkedBlockingQueue<>();
    private final BiConsumer<Long, String> onFailure;
    private final IdleStrategy idle = DataPlane.idle();
    private volatile boolean stopped;
    // Written by the parameter thread, read by the compute thread.
    /** The newest complete parameter version. */
    private volatile long version = -1;
    /**
     * The version being received chunk by chunk and how many of its leading bytes are in params/state, in one word
     * so that the compute thread never pairs a new version with the old one's byte count: (version << 32) | bytes,
     * -1 before the first chunk.
     */
    private volatile long progress = -1;
    /**
     * The newest version whose bytes have begun to overwrite params/state. It only grows, so a shard of version v is
     * stale exactly when arriving > v: no flag to reset, and no late write can mark a newer shard stale.
     */
    private volatile long arriving = -1;
    // Written by the compute thread, read by the parameter thread.
    /** While computing: the version the shard is computed with (else -1). */
    private volatile long computing = -1;
    /** Whether the compute thread waits for parameters (only then does the parameter thread wake it). */
    private volatile boolean waiting;
    private volatile Thread computeThread;
    /** While computing: the assignment's identity, and which gradient chunks are sealed and sent (descending). */
    private Assignment current;
    private int currentShard;
    private int sealedFrom = -1;
    private int sentFrom;
    private long computeStart;
    /** Time of the current shard spent waiting for parameters or sealing and sending gradients, not computing. */
    private long commNanos;
    private volatile long shardsDone;

    /** Compute these shards of step {@code step} with parameter version {@code version}; batch: the global mini-batch. */
    record Assignment(long step, long version, int[] batch, int[] shards) {}

    /** Thrown out of a layer hook when newer parameters arrive mid-shard: the shard's result would be stale. */
    private static final class Overtaken extends RuntimeException {
        Overtaken() {
            super(null, null, false, false);
        }
    }

    GradientEngine(long jobId, int workerId, Model model, Dataset data, int batchSize, int shards, long seed,
                   WirePrecision wire, byte[] secret, Subscription paramsIn, Publication gradsOut, int chunkBytes,
                   BiConsumer<Long, String> onFailure) {
        this.jobId = jobId;
        this.workerId = workerId;
        this.data = data;
        this.batchSize = batchSize;
        this.shards = shards;
        this.seed = seed;
        this.computer = new ShardComputer(model, ShardPlan.maxShard(batchSize, shards));
        this.result = new ShardResult(model.paramCount(), model.stateCount());
        this.params = new float[model.paramCount()];
        this.state = new float[model.stateCount()];
        this.paramsIn = paramsIn;
        this.gradsOut = gradsOut;
        this.layout = new VectorLayout(params.length, state.length, wire);
        this.receiver = new Receiver(new InboundSink(), new Authenticator(secret),
                Math.max(layout.totalBytes(), (shards + batchSize) * 4));
        // Gradient sums are encoded at the wire precision as they are sealed (rounded to nearest, ties to even).
        this.out = new OutgoingMessage(params.length + state.length, chunkBytes, new Authenticator(secret))
                .cutAt(model.paramBoundaries()).precision(wire);
        this.onFailure = onFailure;
    }

    /** Asks the thread to finish. */
    void stop() {
        stopped = true;
    }

    /** Shards computed so far. */
    long shardsDone() {
        return shardsDone;
    }

    /** Whether the parameters hold the first {@code bytes} bytes of version {@code v} (for tests). */
    boolean holds(long v, int bytes) {
        return ready(v, bytes);
    }

    /** Copies the parameters as they are now (for tests). */
    float[] paramsNow() {
        return params.clone();
    }

    /** Messages dropped by the parameter receiver, by reason. */
    java.util.Map<String, Long> drops() {
        return receiver.dropCounts();
    }

    /**
     * The compute loop; parameters are taken by a thread of their own meanwhile, so that a sender is never held up
     * by a worker busy computing: Aeron's window advances only as the subscriber reads, and a kernel that caps the
     * socket buffers (stock Linux: 208 KB) makes that window much smaller than a parameter vector.
     */
    @Override
    public void run() {
        computeThread = Thread.currentThread();
        Thread params = new Thread(this::takeParams, Thread.currentThread().getName().replace("-compute", "") + "-params");
        params.setDaemon(true);
        params.start();
        try {
            while (!stopped) {
                Assignment a;
                try {
                    a = queue.poll(1, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    break;
                }
                if (a == null) {
                    continue;
                }
                try {
                    serve(a);
                } catch (RuntimeException e) {
                    if (!stopped) {
                        onFailure.accept(a.step(), e.toString());
                    }
                }
            }
        } finally {
            stopped = true;
            try {
                params.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The parameter thread: reads assignments and parameters off their subscription as fast as chunks come. */
    private void takeParams() {
        IdleStrategy wait = DataPlane.idle();
        try {
            while (!stopped) {
                wait.idle(receiver.poll(paramsIn, 16));
            }
        } catch (Throwable t) {
            // Without this thread no parameters come: fail the job on this worker now, not after a timeout.
            if (!stopped) {
                onFailure.accept(computing, "the parameter thread failed: " + t);
            }
            stopped = true;
            LockSupport.unpark(computeThread);
        }
    }

    private boolean ready(long need, int bytes) {
        long p = progress;
        return version == need || (p >= 0 && p >>> 32 == need && (int) p >= bytes);
    }

    private void serve(Assignment a) {
        for (int k : a.shards()) {
            if (k < 0 || k >= shards) {
                throw new IllegalStateException("assigned shard " + k + " of a job with " + shards + " shards");
            }
            current = a;
            currentShard = k;
            computing = a.version();
            if (version > a.version() || arriving > a.version()) {
                computing = -1;
                return; // a newer version already: this assignment is stale
            }
            computeStart = System.nanoTime();
            commNanos = 0;
            sealedFrom = -1; // a fresh message: a shard abandoned mid-backward may have left one begun
            try {
                // The first layer hook waits for the parameters it needs (the assignment comes ahead of them).
                computer.compute(data, a.batch(), ShardPlan.start(batchSize, shards, k),
                        ShardPlan.end(batchSize, shards, k), seed, a.step(), params, state, result, this);
            } catch (Overtaken e) {
                return; // newer parameters came in: the coordinator has moved on
            } finally {
                computing = -1;
            }
            if (stopped) {
                return;
            }
            long nanos = System.nanoTime() - computeStart - commNanos;
            // Whatever is not sealed yet (chunk 0 holds the first layer), then send the rest.
            sealDown(0, nanos);
            send();
            shardsDone++;
        }
    }

    @Override
    public void needParams(int end) {
        long need = computing;
        int bytes = layout.byteOf(end);
        if (ready(need, bytes)) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            awaitParams(need, bytes);
        } finally {
            commNanos += System.nanoTime() - t0;
        }
    }

    private void awaitParams(long need, int bytes) {
        waiting = true;
        try {
            while (!ready(need, bytes)) {
                if (stopped || arriving > need || version > need) {
                    throw new Overtaken();
                }
                LockSupport.parkNanos(200_000); // the parameter thread unparks this one at every chunk meanwhile
            }
        } finally {
            waiting = false;
        }
    }

    @Override
    public void lossKnown(double lossSum) {
        result.lossSum = lossSum; // every chunk's header carries it, and the first is sealed during the backward pass
    }

    @Override
    public void gradsFinal(int start) {
        if (start == 0 && sealedFrom == 0) {
            return;
        }
        long t0 = System.nanoTime();
        sealDown(layout.byteOf(start), t0 - computeStart - commNanos);
        // Offer what is sealed without waiting: back-pressure just leaves it for later.
        while (sentFrom > sealedFrom) {
            long r = out.offer(gradsOut, sentFrom - 1);
            if (r <= 0) {
                break;
            }
            sentFrom--;
        }
        commNanos += System.nanoTime() - t0;
        if (stopped || arriving > computing) {
            throw new Overtaken();
        }
    }

    /**
     * Seals, last first, every not yet sealed gradient chunk that lies in bytes [fromByte, total) (chunks end at
     * layer boundaries; the batch statistics after the parameters are final since the forward pass). The first call
     * of a shard begins the message.
     */
    private void sealDown(int fromByte, long nanos) {
        if (sealedFrom < 0) {
            out.begin(Frame.GRADS, jobId, current.step(), current.version(), currentShard, workerId, result.grads,
                    result.grads.length, result.batchStats, result.batchStats.length);
            sealedFrom = out.chunks();
            sentFrom = out.chunks();
        }
        while (sealedFrom > 0 && out.chunkStart(sealedFrom - 1) >= fromByte) {
            out.seal(sealedFrom - 1, nanos, result.lossSum);
            sealedFrom--;
        }
    }

    /** Sends the chunks not yet sent (descending), blocking with a timeout. */
    private void send() {
        long start = System.nanoTime();
        idle.reset();
        while (sentFrom > 0) {
            long r = out.offer(gradsOut, sentFrom - 1);
            if (r > 0) {
                sentFrom--;
                continue;
            }
            if (stopped) {
                break;
            }
            if (!Delivery.retryable(r)) {
                throw new IllegalStateException("gradient publication failed: " + Delivery.status(r));
            }
            if (System.nanoTime() - start > SEND_TIMEOUT_NANOS) {
                throw new IllegalStateException("could not send gradients to the coordinator for "
                        + SEND_TIMEOUT_NANOS / 1_000_000_000L + " s: " + Delivery.status(r));
            }
            idle.idle(0);
        }
    }

    /** Takes this job's assignments, and parameter vectors newer than the one held. */
    private final class InboundSink implements Receiver.Sink {
        @Override
        public DropReason check(Frame f) {
            if (f.kind != Frame.PARAMS && f.kind != Frame.ASSIGN
                    || f.kind == Frame.PARAMS && f.precision != layout.precision().code()) {
                return DropReason.MALFORMED;
            }
            if (f.job != jobId) {
                return DropReason.UNKNOWN_JOB;
            }
            if (f.sender != 0) {
                return DropReason.UNKNOWN_SENDER;
            }
            if (f.kind == Frame.ASSIGN) {
                // The coordinator moves to version v + 1 only once every shard of v is in: an assignment for an older
                // version than the parameters here or arriving is a replay or a late duplicate.
                if (f.version < version || f.version < arriving) {
                    return DropReason.STALE;
                }
                return f.shard < 1 || f.shard > shards || f.total != (f.shard + batchSize) * 4
                        ? DropReason.BAD_LENGTH : null;
            }
            if (f.version == version) {
                return DropReason.DUPLICATE;
            }
            if (f.version < version) {
                return DropReason.STALE;
            }
            if (f.total != layout.totalBytes()) {
                return DropReason.BAD_LENGTH;
            }
            return null;
        }

        @Override
        public void chunk(Frame f, byte[] payload) {
            if (f.kind == Frame.ASSIGN) {
                return; // used whole, in deliver()
            }
            // Only a vector's leading bytes are ever published as in place: a chunk must start it or continue
            // it (a receiver that joins mid-message, e.g. after an image reconnects, would otherwise pair this
            // version's later bytes with an older version's earlier ones).
            long p = progress;
            if (f.offset != 0 && !(p >= 0 && p >>> 32 == f.version && (int) p == f.offset)) {
                return;
            }
            if (f.version > arriving) {
                arriving = f.version; // before the copy: a shard being computed with an older version is stale now
            }
            layout.read(payload, f.offset, f.offset + f.length, params, state); // decoded: the rounded parameters
            progress = (f.version << 32) | (f.offset + f.length); // publishes the copied bytes
            if (waiting) {
                LockSupport.unpark(computeThread);
            }
        }

        @Override
        public void deliver(Frame f, byte[] payload) {
            if (f.kind == Frame.ASSIGN) {
                int[] ks = new int[f.shard];
                Vectors.readInts(payload, 0, ks, 0, ks.length);
                int[] batch = new int[batchSize];
                Vectors.readInts(payload, ks.length * 4, batch, 0, batchSize);
                queue.add(new Assignment(f.step, f.version, batch, ks));
                return;
            }
            long p = progress;
            if (p >= 0 && p >>> 32 == f.version && (int) p == f.total) {
                version = f.version; // every chunk is in place (and chunk() has woken a waiting compute thread)
            }
        }
    }
}

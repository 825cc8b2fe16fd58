package dptrain.worker;

import dptrain.cluster.protocol.WorkerProtocol.Assign;
import dptrain.cluster.transport.Authenticator;
import dptrain.cluster.transport.DataPlane;
import dptrain.cluster.transport.Delivery;
import dptrain.cluster.transport.DropReason;
import dptrain.cluster.transport.Frame;
import dptrain.cluster.transport.OutgoingMessage;
import dptrain.cluster.transport.Receiver;
import dptrain.cluster.transport.Vectors;
import dptrain.data.Dataset;
import dptrain.nn.Model;
import dptrain.train.ShardComputer;
import dptrain.train.ShardPlan;
import dptrain.train.ShardResult;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;
import org.agrona.concurrent.IdleStrategy;

/**
 * A worker's compute thread for one job: keeps the newest parameters that arrive over the data plane, takes shard
 * assignments from the actor, computes each shard's gradient sums on its replica and sends them to the
 * coordinator. The actor never computes and this thread never touches actor state; they meet in a queue.
 */
final class GradientEngine implements Runnable {
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
    private final Delivery delivery = new Delivery();
    private final float[] params;
    private final float[] state;
    private final ConcurrentLinkedQueue<Assign> queue = new ConcurrentLinkedQueue<>();
    private final BiConsumer<Long, String> onFailure;
    private final IdleStrategy idle = DataPlane.idle();
    private volatile boolean stopped;
    private long version = -1;
    private volatile long shardsDone;

    GradientEngine(long jobId, int workerId, Model model, Dataset data, int batchSize, int shards, long seed,
                   byte[] secret, Subscription paramsIn, Publication gradsOut, int chunkBytes,
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
        int vectorBytes = (params.length + state.length) * 4;
        this.receiver = new Receiver(new ParamsSink(), new Authenticator(secret), vectorBytes);
        this.out = new OutgoingMessage(params.length + state.length, chunkBytes, new Authenticator(secret));
        this.onFailure = onFailure;
    }

    /** Queues an assignment (called by the actor). */
    void submit(Assign a) {
        queue.add(a);
    }

    /** Asks the thread to finish. */
    void stop() {
        stopped = true;
    }

    /** Shards computed so far. */
    long shardsDone() {
        return shardsDone;
    }

    /** Messages dropped by the parameter receiver, by reason. */
    java.util.Map<String, Long> drops() {
        return receiver.dropCounts();
    }

    @Override
    public void run() {
        while (!stopped) {
            int work = receiver.poll(paramsIn, 16);
            Assign a = queue.poll();
            if (a != null) {
                work++;
                try {
                    serve(a);
                } catch (RuntimeException e) {
                    if (!stopped) {
                        onFailure.accept(a.step(), e.toString());
                    }
                }
            }
            idle.idle(work);
        }
    }

    private void serve(Assign a) {
        if (a.jobId() != jobId) {
            return;
        }
        // Wait for the assignment's parameter version (Akka and Aeron are separate paths).
        while (version < a.version() && !stopped) {
            idle.idle(receiver.poll(paramsIn, 16));
        }
        if (version != a.version() || stopped) {
            return; // a newer version already: this assignment is stale
        }
        for (int k : a.shards()) {
            long t0 = System.nanoTime();
            computer.compute(data, a.batch(), ShardPlan.start(batchSize, shards, k), ShardPlan.end(batchSize, shards, k),
                    seed, a.step(), params, state, result);
            long nanos = System.nanoTime() - t0;
            out.prepare(Frame.GRADS, jobId, a.step(), a.version(), k, workerId, result.grads, result.grads.length,
                    result.batchStats, result.batchStats.length, nanos, result.lossSum);
            send();
            shardsDone++;
        }
    }

    private void send() {
        delivery.start(gradsOut, out);
        long start = System.nanoTime();
        while (!delivery.advance()) {
            if (stopped) {
                return;
            }
            if (System.nanoTime() - start > SEND_TIMEOUT_NANOS) {
                throw new IllegalStateException("could not send gradients to the coordinator for "
                        + SEND_TIMEOUT_NANOS / 1_000_000_000L + " s: " + delivery.lastStatus());
            }
            // Keep taking parameters meanwhile, so neither side waits on the other.
            idle.idle(receiver.poll(paramsIn, 16));
        }
    }

    /** Takes parameter vectors of this job, newer than the one held. */
    private final class ParamsSink implements Receiver.Sink {
        @Override
        public DropReason check(Frame f) {
            if (f.kind != Frame.PARAMS) {
                return DropReason.MALFORMED;
            }
            if (f.job != jobId) {
                return DropReason.UNKNOWN_JOB;
            }
            if (f.sender != 0) {
                return DropReason.UNKNOWN_SENDER;
            }
            if (f.version == version) {
                return DropReason.DUPLICATE;
            }
            if (f.version < version) {
                return DropReason.STALE;
            }
            if (f.total != (params.length + state.length) * 4) {
                return DropReason.BAD_LENGTH;
            }
            return null;
        }

        @Override
        public void deliver(Frame f, byte[] payload) {
            Vectors.readFloats(payload, 0, params, params.length);
            Vectors.readFloats(payload, params.length * 4, state, state.length);
            version = f.version;
        }
    }
}

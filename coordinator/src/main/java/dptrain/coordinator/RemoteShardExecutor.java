package dptrain.coordinator;

import akka.actor.typed.ActorRef;
import dptrain.cluster.protocol.CoordinatorProtocol;
import dptrain.cluster.transport.Authenticator;
import dptrain.cluster.transport.DataPlane;
import dptrain.cluster.transport.Delivery;
import dptrain.cluster.transport.DropReason;
import dptrain.cluster.transport.Frame;
import dptrain.cluster.transport.OutgoingMessage;
import dptrain.cluster.transport.Receiver;
import dptrain.cluster.transport.VectorLayout;
import dptrain.data.Dataset;
import dptrain.nn.Model;
import dptrain.train.ComputePool;
import dptrain.train.ParameterServer;
import dptrain.train.ShardExecutor;
import dptrain.train.ShardPlan;
import dptrain.train.ShardResult;
import io.aeron.Publication;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.agrona.concurrent.IdleStrategy;

/**
 * The cluster's {@link ShardExecutor}, run on the trainer's thread: for step t it signs the parameters (version t)
 * once, assigns the K shards to the live workers ({@link ShardAssigner}) and sends each worker its assignment and then
 * the parameters on one Aeron stream, then polls the gradient subscription until every shard's sums have arrived
 * and passed the checks, giving the unfinished shards of a worker the actor marks lost to the others. Accepted
 * results go to results[k], exactly where the local executor puts them, so the unchanged parameter server produces
 * the same bits as a single process. Nothing of a step goes through Akka.
 */
public final class RemoteShardExecutor implements ShardExecutor {
    /** How long a worker may fail to take its assignment or parameters before it is treated as lost. */
    static final long DELIVERY_TIMEOUT_NANOS = 10_000_000_000L;
    /**
     * How long a live worker may keep a shard of a step without its gradients coming in before the shard is asked for
     * again, its parameters sent to it again (a message of either lost to damage leaves both sides waiting otherwise).
     * A shard takes well under a second; a slow answer only costs the shard computed twice (accepted once).
     */
    static final long REASK_AFTER_NANOS = 30_000_000_000L;

    private final JobBoard board;
    private final ActorRef<CoordinatorProtocol.Command> coordinator;
    private final DataPlane dataPlane;
    private final GradInbox gradsIn;
    private final Receiver receiver;
    private final OutgoingMessage paramsOut;
    private final int paramCount;
    private final int stateCount;
    /** Where parameters or gradient sums (at the job's wire precision) and the state lie in a vector's payload. */
    private final VectorLayout layout;
    private final long noWorkerTimeoutNanos;
    private final IdleStrategy idle = DataPlane.idle();
    private final Map<Integer, Publication> publications = new HashMap<>();
    private final Map<Integer, Outbox> outboxes = new HashMap<>();
    /** The open shards found by {@link #assignOpenShards}, without allocating each turn. */
    private final int[] openScratch;
    // The step being computed; only this thread touches it (the actor keeps membership, on the board).
    private long step = -1;
    private long version = -1;
    private int[] batch;
    private long stepStartNanos;
    /** Per shard: whether its sums are in, and the outbox its assignment went into (null while open). */
    private final boolean[] accepted;
    private final Outbox[] owner;
    /** Per shard: its gradients came damaged from the worker it is assigned to, so it is asked for again. */
    private final boolean[] reask;
    /** Per shard: when it was last assigned (System.nanoTime). */
    private final long[] assignedAt;
    /** Per shard: times asked again this step; past {@link #MAX_REASKS} its worker is treated as stalled. */
    private final int[] reasks;
    static final int MAX_REASKS = 3;
    /** {@link #REASK_AFTER_NANOS}, shorter in tests. */
    long reaskAfterNanos = REASK_AFTER_NANOS;
    private long lastOverdueCheck;
    private ShardResult[] results;
    private int acceptedCount;
    /** What a step took, per worker and over the run, and the start-of-job distribution check. */
    private final StepMetrics metrics;
    private java.io.PrintStream log = System.err;
    /** Whether the job's owner gave up (a search that ended): the waits for workers stop at once. */
    private java.util.function.BooleanSupplier cancelled = () -> false;
    /** Fewer parameters than this are left for the next chunk (a parallel update has a fixed cost), until the last. */
    static final int MIN_APPLY_FLOATS = 1 << 14;
    /** Per shard: payload bytes [suffixFrom[k], total) of its gradient message are in, verified (descending chunks). */
    private final int[] suffixFrom;
    /** Parameters [appliedFrom, paramCount) are updated this step. */
    private int appliedFrom;
    /** Runs the parameter server's reduce and update on this JVM's --threads while the workers wait for it. */
    private final ComputePool apply;

    RemoteShardExecutor(JobBoard board, ActorRef<CoordinatorProtocol.Command> coordinator, DataPlane dataPlane,
                        GradInbox gradsIn, Model model, long noWorkerTimeoutNanos, int threads) {
        int paramCount = model.paramCount();
        int stateCount = model.stateCount();
        this.board = board;
        this.coordinator = coordinator;
        this.dataPlane = dataPlane;
        this.gradsIn = gradsIn;
        this.paramCount = paramCount;
        this.stateCount = stateCount;
        this.noWorkerTimeoutNanos = noWorkerTimeoutNanos;
        this.layout = new VectorLayout(paramCount, stateCount, board.job.wire());
        this.receiver = new Receiver(new GradSink(), new Authenticator(board.job.secret()), layout.totalBytes());
        // Chunks end at layer boundaries: a worker starts a layer's forward pass once that layer's block is in.
        this.paramsOut = new OutgoingMessage(paramCount + stateCount, dataPlane.settings().chunkBytes(),
                new Authenticator(board.job.secret())).cutAt(model.paramBoundaries()).precision(board.job.wire());
        this.metrics = new StepMetrics(board, new DistributionCheck(board.job.batchSize(), board.job.shards()));
        this.openScratch = new int[board.job.shards()];
        this.accepted = new boolean[board.job.shards()];
        this.reask = new boolean[board.job.shards()];
        this.assignedAt = new long[board.job.shards()];
        this.reasks = new int[board.job.shards()];
        this.suffixFrom = new int[board.job.shards()];
        this.owner = new Outbox[board.job.shards()];
        this.apply = new ComputePool(threads, "dptrain-apply", 0); // idle while the workers compute
    }

    /** Makes the waits for workers end (CancellationException) once cancelled says so. */
    void cancelWhen(java.util.function.BooleanSupplier cancelled) {
        this.cancelled = cancelled;
    }

    @Override
    public ComputePool pool() {
        return apply;
    }

    /**
     * Waits until n workers have joined, printing who is missing; fails after the timeout with the reason, or at once
     * when these are the only workers there will be (fixed) and n of them have refused.
     */
    void awaitWorkers(int n, long timeoutMillis, java.io.PrintStream log, boolean fixed) {
        this.log = log;
        long deadline = System.currentTimeMillis() + timeoutMillis;
        long lastPrint = 0;
        while (board.live().size() < n) {
            drainIdle();
            if (cancelled.getAsBoolean()) {
                throw new java.util.concurrent.CancellationException("the job was cancelled");
            }
            long now = System.currentTimeMillis();
            if (fixed && board.workersRefused.get() >= n && board.live().isEmpty()) {
                throw new IllegalStateException("every worker refused the job (" + board.workersRefused.get()
                        + " refusals); " + board.lastRefusal);
            }
            if (now > deadline) {
                throw new IllegalStateException("only " + board.live().size() + " of " + n + " workers joined within "
                        + timeoutMillis / 1000 + " s" + (board.lastRefusal == null ? "" : "; " + board.lastRefusal));
            }
            if (now - lastPrint > 5000) {
                log.printf(Locale.ROOT, "waiting for workers: %d of %d ready%n", board.live().size(), n);
                lastPrint = now;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for workers");
            }
        }
    }

    private void drainIdle() {
        gradsIn.poll(receiver, 64); // keeps stray messages from backing up
    }

    @Override
    public void computeShards(Dataset data, int[] batch, int batchSize, long seed, long step, float[] params,
                              float[] state, ShardResult[] results) {
        run(null, batch, step, params, state, results);
    }

    /**
     * The step, applied as it comes in: each worker streams a shard's gradients last layer first while its backward
     * pass runs, and as soon as every shard's gradients for a range of parameters are in (verified chunk by chunk),
     * the range is reduced and updated (in shard order, element-wise: the bits of a whole-vector update), while the
     * workers still compute the earlier layers. What is left when the last chunk (the first layer's) arrives is that
     * layer's update.
     */
    @Override
    public double step(ParameterServer ps, Dataset data, int[] batch, int batchSize, long seed, long step, float lr,
                       ShardResult[] results) {
        ps.begin(results, batchSize, lr);
        // The parameters as the server rounds them for the shards: encoding them at the wire precision is exact.
        run(ps, batch, step, ps.wireParams(), ps.state(), results);
        ps.applyRange(0, appliedFrom);
        appliedFrom = 0;
        return ps.finish();
    }

    /** The step's shards, computed by the workers; with a server, ranges whose gradients are all in are applied. */
    private void run(ParameterServer ps, int[] batch, long step, float[] params, float[] state, ShardResult[] results) {
        long t0 = System.nanoTime();
        metrics.stepStarts(t0, log);
        this.results = results;
        this.acceptedCount = 0;
        this.step = step;
        this.version = step;
        this.batch = batch; // read only while this call runs
        this.stepStartNanos = System.nanoTime();
        java.util.Arrays.fill(accepted, false);
        java.util.Arrays.fill(owner, null);
        java.util.Arrays.fill(reask, false);
        java.util.Arrays.fill(reasks, 0);
        java.util.Arrays.fill(suffixFrom, layout.totalBytes());
        appliedFrom = paramCount;
        paramsOut.prepare(Frame.PARAMS, board.job.id(), step, version, -1, 0, params, paramCount, state, stateCount, 0, 0);
        // Every live worker gets the parameters, also one left without shards (it stays current); assignments go
        // first on each stream, so a worker knows its shards by the time the first layer's parameters are in.
        assignOpenShards();
        for (JobBoard.Slot w : board.live()) {
            outbox(w).wantParams(version);
        }
        long noWorkersSince = 0;
        long paramsDone = 0;
        while (acceptedCount < results.length) {
            int work = advanceOutboxes();
            if (paramsDone == 0 && paramsSent(version)) {
                paramsDone = System.nanoTime();
            }
            work += gradsIn.poll(receiver, 64);
            if (ps != null) {
                work += applyReady(ps);
            }
            reaskOverdue();
            work += assignOpenShards();
            if (!board.anyLive()) {
                long now = System.nanoTime();
                if (cancelled.getAsBoolean()) {
                    throw new java.util.concurrent.CancellationException("the job was cancelled");
                }
                if (noWorkersSince == 0) {
                    noWorkersSince = now;
                    log.println("dptrain: no live workers at step " + (step + 1) + "; waiting for one to join");
                } else if (now - noWorkersSince > noWorkerTimeoutNanos) {
                    throw new IllegalStateException("no live worker for " + noWorkerTimeoutNanos / 1_000_000_000L
                            + " s at step " + (step + 1) + "; the last checkpoint can be resumed with --resume");
                }
            } else {
                noWorkersSince = 0;
            }
            idle.idle(work);
        }
        // Finish sends still under way (to a worker without shards this step), so the buffers can be reused.
        long end = System.nanoTime() + DELIVERY_TIMEOUT_NANOS;
        while (!outboxesIdle() && System.nanoTime() < end) {
            idle.idle(advanceOutboxes() + gradsIn.poll(receiver, 64));
        }
        abandonOutboxes();
        long t1 = System.nanoTime();
        metrics.stepEnds(t0, paramsDone == 0 ? t1 : paramsDone, t1);
    }

    /**
     * Applies the parameters [ready, appliedFrom) whose gradients every shard has delivered (ready: the lowest index
     * from which all are in), once at least {@link #MIN_APPLY_FLOATS} are waiting; returns 1 if it applied any.
     */
    private int applyReady(ParameterServer ps) {
        int ready = 0;
        for (int b : suffixFrom) {
            ready = Math.max(ready, Math.min(paramCount, layout.indexOf(b)));
        }
        if (ready >= appliedFrom || (ready > 0 && appliedFrom - ready < MIN_APPLY_FLOATS)) {
            return 0;
        }
        ps.applyRange(ready, appliedFrom);
        appliedFrom = ready;
        return 1;
    }

    /**
     * Assigns the step's open shards to the live workers: those neither accepted nor assigned through an outbox still
     * in use to a worker still live (all of them at the step's start; later those of a worker the actor marked lost or
     * that stalled, or every shard when no worker was live). Returns how many it assigned; allocates only when
     * there are some. Liveness is read once per shard and once for the plan: the actor may change it at any moment,
     * and a shard it changes under this pass is open again at the next.
     */
    private int assignOpenShards() {
        int open = 0;
        int reassigned = 0;
        int reasked = 0;
        for (int k = 0; k < openScratch.length; k++) {
            Outbox o = owner[k];
            boolean gone = o != null && (o.dropped || !o.worker.live); // liveness read once
            if (!accepted[k] && (o == null || gone || reask[k])) {
                openScratch[open++] = k;
                if (gone) {
                    reassigned++;
                } else if (reask[k]) {
                    reasked++;
                }
            }
        }
        if (open == 0) {
            return 0;
        }
        List<JobBoard.Slot> live = board.live();
        if (live.isEmpty()) {
            return 0;
        }
        int[] shards = java.util.Arrays.copyOf(openScratch, open);
        int[][] plan = ShardAssigner.plan(live, shards, board.job.batchSize(), board.job.shards());
        StringBuilder to = new StringBuilder();
        for (int i = 0; i < plan.length; i++) {
            if (plan[i].length == 0) {
                continue;
            }
            JobBoard.Slot w = live.get(i);
            Outbox o = outbox(w);
            long now = System.nanoTime();
            for (int k : plan[i]) {
                owner[k] = o;
                reask[k] = false;
                assignedAt[k] = now;
            }
            o.assign(plan[i]);
            o.wantParams(version);
            if (reassigned + reasked > 0) {
                to.append(to.length() == 0 ? "" : ", ").append("worker ").append(w.id).append(' ')
                        .append(java.util.Arrays.toString(plan[i]));
            }
        }
        if (reassigned + reasked > 0) {
            board.shardsReassigned.addAndGet(reassigned);
            board.shardsReasked.addAndGet(reasked);
            String msg = "shards " + java.util.Arrays.toString(shards) + " of step " + (step + 1)
                    + (reasked > 0 ? " asked again (their gradients came damaged or late)" : " reassigned") + ": " + to;
            board.event(msg);
            log.println("dptrain: " + msg);
        }
        return open;
    }

    /**
     * Marks for asking again every shard of a live worker from whom nothing has come for {@link #reaskAfterNanos} since
     * the shard was assigned (a worker working through a queue of shards delivers one after another), and has the
     * parameters sent to that worker again (checked every 50 ms).
     */
    private void reaskOverdue() {
        long now = System.nanoTime();
        if (now - lastOverdueCheck < 50_000_000L) {
            return;
        }
        lastOverdueCheck = now;
        for (int k = 0; k < reask.length; k++) {
            Outbox o = owner[k];
            if (!accepted[k] && o != null && !o.dropped && o.worker.live && !reask[k]
                    && now - Math.max(assignedAt[k], o.heardNanos) > reaskAfterNanos) {
                if (!askAgain(k, o)) {
                    continue;
                }
                if (o.worker.versionSent >= version) {
                    o.worker.versionSent = version - 1; // sent, perhaps lost: once more (a worker that has it drops it)
                    o.wantParams(version);
                }
                String msg = String.format(Locale.ROOT, "shard %d of step %d: nothing from worker %d in %.1f s; asked "
                        + "again, its parameters sent again", k, step + 1, o.worker.id, reaskAfterNanos / 1e9);
                board.event(msg);
                log.println("dptrain: " + msg);
            }
        }
    }

    /**
     * Marks shard k, assigned to o, to be asked for again; after {@link #MAX_REASKS} times in a step, o's worker is
     * treated as stalled instead (its shards go to the others) and false is returned.
     */
    private boolean askAgain(int k, Outbox o) {
        if (++reasks[k] <= MAX_REASKS) {
            reask[k] = true;
            return true;
        }
        if (!o.dropped) {
            o.dropped = true;
            outboxes.remove(o.worker.id);
            if (coordinator != null) {
                coordinator.tell(new Coordinator.Stalled(o.worker.id, "shard " + k + " of step " + (step + 1)
                        + " asked for " + MAX_REASKS + " times without an intact answer"));
            }
        }
        return false;
    }

    /** The worker shard k is assigned to this step, -1 while it is open (for tests). */
    int ownerOf(int k) {
        return owner[k] == null ? -1 : owner[k].worker.id;
    }

    /** Gradient messages dropped so far for the reason (for tests; safe from any thread). */
    long dropped(DropReason why) {
        return receiver.dropped(why);
    }

    private Outbox outbox(JobBoard.Slot w) {
        Outbox o = outboxes.get(w.id);
        if (o == null) {
            Publication p = publications.computeIfAbsent(w.id,
                    id -> dataPlane.publication(dataPlane.channel(w.endpoint), w.stream));
            o = new Outbox(w, p);
            outboxes.put(w.id, o);
        }
        return o;
    }

    /** Sends on every live worker's stream what it takes now; drops the outboxes of lost and stalled workers. */
    private int advanceOutboxes() {
        int work = 0;
        var it = outboxes.values().iterator();
        while (it.hasNext()) {
            Outbox o = it.next();
            if (!o.worker.live) {
                o.dropped = true;
                it.remove();
                continue;
            }
            work += o.advance();
            if (o.stalledFor() > DELIVERY_TIMEOUT_NANOS) {
                o.dropped = true;
                it.remove();
                coordinator.tell(new Coordinator.Stalled(o.worker.id, "data-plane messages not taken for "
                        + DELIVERY_TIMEOUT_NANOS / 1_000_000_000L + " s: " + o.delivery.lastStatus()));
            }
        }
        return work;
    }

    /** Whether every live worker has been sent the parameters of this version. */
    private boolean paramsSent(long version) {
        for (Outbox o : outboxes.values()) {
            if (o.worker.live && o.worker.versionSent < version) {
                return false;
            }
        }
        return true;
    }

    private boolean outboxesIdle() {
        for (Outbox o : outboxes.values()) {
            if (!o.idle()) {
                return false;
            }
        }
        return true;
    }

    private void abandonOutboxes() {
        var it = outboxes.values().iterator();
        while (it.hasNext()) {
            Outbox o = it.next();
            if (!o.idle()) {
                o.dropped = true;
                it.remove();
                coordinator.tell(new Coordinator.Stalled(o.worker.id,
                        "assignment or parameters not taken by the end of the step"));
            }
        }
    }

    /**
     * What one worker's stream still has to carry this step, in order: its assignment (the shards given since the
     * last one went out, so a reassignment during a step is one more small message), then the parameters. A message
     * is never begun while another is under way on the stream: the worker assembles one message at a time.
     */
    private final class Outbox {
        final JobBoard.Slot worker;
        final Publication publication;
        final Delivery delivery = new Delivery();
        final OutgoingMessage assignment;
        final int[] unsent = new int[board.job.shards()];
        int unsentCount;
        boolean paramsWanted;
        /** The message being sent (assignment or paramsOut), null when the stream is free. */
        OutgoingMessage sending;
        /** Taken out of use (worker lost or stalled): what it was to carry has to go out again. */
        boolean dropped;
        /** When this worker's last shard came in (System.nanoTime; 0 before any). */
        long heardNanos;

        Outbox(JobBoard.Slot worker, Publication publication) {
            this.worker = worker;
            this.publication = publication;
            this.assignment = new OutgoingMessage(board.job.shards() + board.job.batchSize(),
                    dataPlane.settings().chunkBytes(), new Authenticator(board.job.secret()));
        }

        void assign(int[] shards) {
            for (int k : shards) {
                boolean listed = false;
                for (int i = 0; i < unsentCount; i++) {
                    listed |= unsent[i] == k;
                }
                if (!listed) {
                    unsent[unsentCount++] = k;
                }
            }
        }

        void wantParams(long version) {
            if (worker.versionSent < version && sending != paramsOut) {
                paramsWanted = true;
            }
        }

        boolean idle() {
            return sending == null && unsentCount == 0 && !paramsWanted;
        }

        /** How long the message under way has been trying to get out (0 when none is). */
        long stalledFor() {
            return sending == null ? 0 : System.nanoTime() - delivery.startNanos();
        }

        int advance() {
            int work = 0;
            while (true) {
                if (sending != null) {
                    if (!delivery.advance()) {
                        return work;
                    }
                    if (sending == paramsOut) {
                        worker.versionSent = version;
                        metrics.sent(paramsOut.totalBytes());
                    }
                    sending = null;
                    work++;
                }
                // Only shards still this worker's and not yet in: one given away or answered meanwhile is not sent.
                int n = 0;
                for (int i = 0; i < unsentCount; i++) {
                    int k = unsent[i];
                    if (owner[k] == this && !accepted[k]) {
                        unsent[n++] = k;
                    }
                }
                unsentCount = 0;
                if (n > 0) {
                    assignment.prepareInts(Frame.ASSIGN, board.job.id(), step, version, n, 0, unsent, n, batch,
                            batch.length);
                    sending = assignment;
                } else if (paramsWanted) {
                    paramsWanted = false;
                    sending = paramsOut;
                } else {
                    return work;
                }
                delivery.start(publication, sending);
            }
        }
    }

    /** Takes gradient messages of the current step's unaccepted shards. */
    private final class GradSink implements Receiver.Sink {
        @Override
        public DropReason check(Frame f) {
            if (f.kind != Frame.GRADS || f.precision != board.job.wire().code()) {
                return DropReason.MALFORMED;
            }
            if (f.job != board.job.id()) {
                return DropReason.UNKNOWN_JOB;
            }
            if (!board.workers.containsKey(f.sender)) {
                return DropReason.UNKNOWN_SENDER;
            }
            if (results == null || f.step != step || f.version != version) {
                return DropReason.STALE;
            }
            if (f.shard < 0 || f.shard >= results.length) {
                return DropReason.UNKNOWN_SHARD;
            }
            if (accepted[f.shard]) {
                return DropReason.DUPLICATE;
            }
            if (f.total != layout.totalBytes()) {
                return DropReason.BAD_LENGTH;
            }
            return null;
        }

        /**
         * A gradient message of this step lost to damage, from the worker its shard is assigned to: the shard is asked
         * for again (from whichever live worker the assigner picks). Its verified chunks already in are right (any
         * worker's message for a shard carries the same bits) and are overwritten by the new message.
         */
        @Override
        public void lost(Frame f, DropReason why) {
            if (f.kind == Frame.GRADS && results != null && f.job == board.job.id() && f.step == step
                    && f.version == version && f.shard >= 0 && f.shard < results.length && !accepted[f.shard]
                    && owner[f.shard] != null && owner[f.shard].worker.id == f.sender && !reask[f.shard]) {
                askAgain(f.shard, owner[f.shard]);
            }
        }

        /** A verified chunk of a wanted message: its values go into the shard's result at once. */
        @Override
        public void chunk(Frame f, byte[] payload) {
            if (results == null || f.step != step || f.version != version || accepted[f.shard]) {
                return; // a late chunk of an earlier step, or of a shard already in (the same values: not needed)
            }
            ShardResult r = results[f.shard];
            layout.read(payload, f.offset, f.offset + f.length, r.grads, r.batchStats);
            // Any worker's message for shard k carries the same bits: chunks of two (a shard given to another
            // worker meanwhile) may both extend what is in.
            if (f.offset + f.length >= suffixFrom[f.shard]) {
                suffixFrom[f.shard] = Math.min(suffixFrom[f.shard], f.offset);
            }
        }

        @Override
        public void deliver(Frame f, byte[] payload) {
            ShardResult r = results[f.shard];
            suffixFrom[f.shard] = 0; // every chunk is in (also when they came in ascending order)
            r.lossSum = f.lossSum;
            accepted[f.shard] = true;
            acceptedCount++;
            Outbox from = outboxes.get(f.sender);
            if (from != null) {
                from.heardNanos = System.nanoTime();
            }
            int b = board.job.batchSize();
            int size = ShardPlan.end(b, results.length, f.shard) - ShardPlan.start(b, results.length, f.shard);
            metrics.shardIn(board.workers.get(f.sender), f.total, f.computeNanos, size, stepStartNanos);
        }
    }

    /** One line for the progress display: per-worker compute / wait of the last step. */
    public String statusLine() {
        return metrics.statusLine(receiver.totalDropped());
    }

    @Override
    public void describeStep(Map<String, Object> r) {
        metrics.describeStep(r, receiver.dropCounts());
    }

    @Override
    public void describeRun(Map<String, Object> s) {
        metrics.describeRun(s, receiver.dropCounts());
    }

    @Override
    public void close() {
        apply.close();
        for (Publication p : publications.values()) {
            p.close();
        }
        publications.clear();
    }
}

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
import dptrain.cluster.transport.Vectors;
import dptrain.data.Dataset;
import dptrain.nn.Model;
import dptrain.train.Parallel;
import dptrain.train.PooledParallel;
import dptrain.train.ShardExecutor;
import dptrain.train.ShardPlan;
import dptrain.train.ShardResult;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.agrona.concurrent.IdleStrategy;

/**
 * The cluster's {@link ShardExecutor}, run on the trainer's thread: for step t it signs the parameters (version t)
 * once and sends them to every live worker over Aeron, asks the coordinator actor to assign the K shards, then
 * polls the gradient subscription until every shard's sums have arrived and passed the checks. Accepted results go
 * to results[k], exactly where the local executor puts them, so the unchanged parameter server produces the same
 * bits as a single process.
 */
public final class RemoteShardExecutor implements ShardExecutor, Parallel {
    /** How long a worker may fail to take its parameters before it is treated as lost. */
    static final long DELIVERY_TIMEOUT_NANOS = 10_000_000_000L;

    private final JobBoard board;
    private final ActorRef<CoordinatorProtocol.Command> coordinator;
    private final DataPlane dataPlane;
    private final Subscription gradsIn;
    private final Receiver receiver;
    private final OutgoingMessage paramsOut;
    private final int paramCount;
    private final int stateCount;
    private final long noWorkerTimeoutNanos;
    private final IdleStrategy idle = DataPlane.idle();
    private final Map<Integer, Publication> publications = new HashMap<>();
    private final Map<Integer, Delivery> deliveries = new HashMap<>();
    private ShardResult[] results;
    private int acceptedCount;
    // per-step timing, for metrics
    private double lastStepMs;
    private double lastParamsMs;
    private long steps;
    private double sumWaitMs;
    private double sumComputeMs;
    private long shardsAccepted;
    private double sumParamsMs;
    // the start-of-job "is distribution worth it" measurement
    private final DistributionCheck check;
    private final Map<Integer, Double> stepCompute = new HashMap<>();
    private double stepComputeTotal;
    private int stepSamples;
    private long lastStartNanos;
    private long firstStartNanos;
    private boolean checkToReport;
    private java.io.PrintStream log = System.err;
    /** Runs the parameter server's reduce and update on this JVM's --threads while the workers wait for it. */
    private final PooledParallel apply;

    RemoteShardExecutor(JobBoard board, ActorRef<CoordinatorProtocol.Command> coordinator, DataPlane dataPlane,
                        Subscription gradsIn, Model model, long noWorkerTimeoutNanos, int threads) {
        int paramCount = model.paramCount();
        int stateCount = model.stateCount();
        this.board = board;
        this.coordinator = coordinator;
        this.dataPlane = dataPlane;
        this.gradsIn = gradsIn;
        this.paramCount = paramCount;
        this.stateCount = stateCount;
        this.noWorkerTimeoutNanos = noWorkerTimeoutNanos;
        this.receiver = new Receiver(new GradSink(), new Authenticator(board.job.secret()), (paramCount + stateCount) * 4);
        // Chunks end at layer boundaries: a worker starts a layer's forward pass once that layer's block is in.
        this.paramsOut = new OutgoingMessage(paramCount + stateCount, dataPlane.settings().chunkBytes(),
                new Authenticator(board.job.secret())).cutAt(model.paramBoundaries());
        this.check = new DistributionCheck(board.job.batchSize(), board.job.shards());
        this.apply = new PooledParallel(threads, "dptrain-apply");
    }

    @Override
    public void forRanges(int n, Range body) {
        apply.forRanges(n, body);
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
        receiver.poll(gradsIn, 64); // keeps stray messages from backing up
    }

    @Override
    public void computeShards(Dataset data, int[] batch, int batchSize, long seed, long step, float[] params,
                              float[] state, ShardResult[] results) {
        long t0 = System.nanoTime();
        recordCheck(t0);
        this.results = results;
        this.acceptedCount = 0;
        long version = step;
        JobBoard.Step s = new JobBoard.Step(step, version, batch.clone(), results.length);
        board.current = s;
        board.paramsRequests.clear();
        // The assignment travels over Akka while the parameters are sealed: workers need both to start.
        coordinator.tell(Coordinator.StartStep.INSTANCE);
        paramsOut.prepare(Frame.PARAMS, board.job.id(), step, version, -1, 0, params, paramCount, state, stateCount, 0, 0);
        for (JobBoard.Slot w : board.live()) {
            startDelivery(w);
        }
        long noWorkersSince = 0;
        long paramsDone = 0;
        while (acceptedCount < results.length) {
            int work = advanceDeliveries(version);
            if (paramsDone == 0 && deliveries.isEmpty()) {
                paramsDone = System.nanoTime();
            }
            work += receiver.poll(gradsIn, 64);
            Integer req;
            while ((req = board.paramsRequests.poll()) != null) {
                JobBoard.Slot w = board.workers.get(req);
                if (w != null && w.live && w.versionSent < version && !deliveries.containsKey(w.id)) {
                    startDelivery(w);
                    work++;
                }
            }
            if (!board.anyLive()) {
                long now = System.nanoTime();
                if (noWorkersSince == 0) {
                    noWorkersSince = now;
                    System.err.println("dptrain: no live workers at step " + (step + 1) + "; waiting for one to join");
                } else if (now - noWorkersSince > noWorkerTimeoutNanos) {
                    throw new IllegalStateException("no live worker for " + noWorkerTimeoutNanos / 1_000_000_000L
                            + " s at step " + (step + 1) + "; the last checkpoint can be resumed with --resume");
                }
            } else {
                noWorkersSince = 0;
            }
            idle.idle(work);
        }
        // Finish parameter sends still under way (a worker without shards this step), so the buffer can be reused.
        long end = System.nanoTime() + DELIVERY_TIMEOUT_NANOS;
        while (!deliveries.isEmpty() && System.nanoTime() < end) {
            idle.idle(advanceDeliveries(version) + receiver.poll(gradsIn, 64));
        }
        abandonDeliveries();
        long t1 = System.nanoTime();
        lastStepMs = (t1 - t0) / 1e6;
        lastParamsMs = ((paramsDone == 0 ? t1 : paramsDone) - t0) / 1e6;
        steps++;
        sumParamsMs += lastParamsMs;
    }

    /** Feeds the previous step (its full period, apply included) to the distribution check; prints the verdict. */
    private void recordCheck(long now) {
        if (lastStartNanos != 0 && !stepCompute.isEmpty() && stepSamples > 0) {
            double critical = 0;
            for (double c : stepCompute.values()) {
                critical = Math.max(critical, c);
            }
            boolean warm = DistributionCheck.warm((int) steps, (now - firstStartNanos) / 1e9);
            if (check.record(warm, (now - lastStartNanos) / 1e6, critical, stepComputeTotal / stepSamples,
                    stepCompute.size())) {
                log.println(DistributionCheck.line(check.result()));
                checkToReport = true;
            }
        }
        if (firstStartNanos == 0) {
            firstStartNanos = now;
        }
        lastStartNanos = now;
        stepCompute.clear();
        stepComputeTotal = 0;
        stepSamples = 0;
    }

    private void startDelivery(JobBoard.Slot w) {
        Publication p = publications.computeIfAbsent(w.id, id -> dataPlane.publication(dataPlane.channel(w.endpoint),
                w.stream));
        deliveries.computeIfAbsent(w.id, id -> new Delivery()).start(p, paramsOut);
    }

    private int advanceDeliveries(long version) {
        int work = 0;
        var it = deliveries.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            JobBoard.Slot w = board.workers.get(e.getKey());
            if (w == null || !w.live) {
                it.remove();
                continue;
            }
            if (e.getValue().advance()) {
                w.versionSent = version;
                it.remove();
                work++;
            } else if (System.nanoTime() - e.getValue().startNanos() > DELIVERY_TIMEOUT_NANOS) {
                it.remove();
                coordinator.tell(new Coordinator.Stalled(w.id, "parameters not taken for "
                        + DELIVERY_TIMEOUT_NANOS / 1_000_000_000L + " s: " + e.getValue().lastStatus()));
            }
        }
        return work;
    }

    private void abandonDeliveries() {
        for (Integer id : deliveries.keySet()) {
            coordinator.tell(new Coordinator.Stalled(id, "parameters not taken by the end of the step"));
        }
        deliveries.clear();
    }

    /** Takes gradient messages of the current step's unaccepted shards. */
    private final class GradSink implements Receiver.Sink {
        @Override
        public DropReason check(Frame f) {
            if (f.kind != Frame.GRADS) {
                return DropReason.MALFORMED;
            }
            if (f.job != board.job.id()) {
                return DropReason.UNKNOWN_JOB;
            }
            if (!board.workers.containsKey(f.sender)) {
                return DropReason.UNKNOWN_SENDER;
            }
            JobBoard.Step s = board.current;
            if (s == null || f.step != s.step || f.version != s.version || results == null) {
                return DropReason.STALE;
            }
            if (f.shard < 0 || f.shard >= results.length) {
                return DropReason.UNKNOWN_SHARD;
            }
            if (s.accepted.get(f.shard) != 0) {
                return DropReason.DUPLICATE;
            }
            if (f.total != (paramCount + stateCount) * 4) {
                return DropReason.BAD_LENGTH;
            }
            return null;
        }

        @Override
        public void deliver(Frame f, byte[] payload) {
            JobBoard.Step s = board.current;
            ShardResult r = results[f.shard];
            Vectors.readFloats(payload, 0, r.grads, paramCount);
            Vectors.readFloats(payload, paramCount * 4, r.batchStats, stateCount);
            r.lossSum = f.lossSum;
            s.accepted.set(f.shard, 1);
            acceptedCount++;
            JobBoard.Slot w = board.workers.get(f.sender);
            int b = board.job.batchSize();
            int size = ShardPlan.end(b, results.length, f.shard) - ShardPlan.start(b, results.length, f.shard);
            double perSample = (double) f.computeNanos / Math.max(1, size);
            w.nanosPerSample = w.nanosPerSample == 0 ? perSample : 0.8 * w.nanosPerSample + 0.2 * perSample;
            w.lastComputeMs = f.computeNanos / 1e6;
            w.lastWaitMs = (System.nanoTime() - s.startNanos) / 1e6;
            w.shardsDone++;
            sumComputeMs += f.computeNanos / 1e6;
            stepCompute.merge(f.sender, f.computeNanos / 1e6, Double::sum);
            stepComputeTotal += f.computeNanos / 1e6;
            stepSamples += size;
            sumWaitMs += w.lastWaitMs;
            shardsAccepted++;
        }
    }

    /** One line for the progress display: per-worker compute / wait of the last step. */
    public String statusLine() {
        StringBuilder sb = new StringBuilder();
        for (JobBoard.Slot w : board.live()) {
            sb.append(String.format(Locale.ROOT, " w%d %.1f/%.1fms", w.id, w.lastComputeMs, w.lastWaitMs));
        }
        long drops = receiver.totalDropped();
        if (drops > 0) {
            sb.append(" drops ").append(drops);
        }
        return sb.toString().trim();
    }

    @Override
    public void describeStep(Map<String, Object> r) {
        r.put("workers", board.live().size());
        r.put("step_ms", lastStepMs);
        r.put("params_send_ms", lastParamsMs);
        Map<String, Object> per = new LinkedHashMap<>();
        for (JobBoard.Slot w : board.workers.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("live", w.live);
            m.put("compute_ms", w.lastComputeMs);
            m.put("wait_ms", w.lastWaitMs);
            m.put("communication_ms", Math.max(0, w.lastWaitMs - w.lastComputeMs));
            m.put("shards", w.shardsDone);
            per.put(Integer.toString(w.id), m);
        }
        r.put("per_worker", per);
        r.put("dropped", receiver.dropCounts());
        String e;
        java.util.List<String> events = new java.util.ArrayList<>();
        while ((e = board.events.poll()) != null) {
            events.add(e);
        }
        if (!events.isEmpty()) {
            r.put("events", events);
        }
        if (checkToReport) {
            r.put("distribution_check", check.result());
            checkToReport = false;
        }
    }

    @Override
    public void describeRun(Map<String, Object> s) {
        s.put("workers_joined", board.workersJoined.get());
        s.put("workers_lost", board.workersLost.get());
        s.put("shards_reassigned", board.shardsReassigned.get());
        s.put("workers_refused", board.workersRefused.get());
        s.put("dropped_messages", receiver.dropCounts());
        if (check.result() != null) {
            s.put("distribution_check", check.result());
        }
        if (steps > 0) {
            s.put("mean_params_send_ms", sumParamsMs / steps);
        }
        if (shardsAccepted > 0) {
            s.put("mean_shard_compute_ms", sumComputeMs / shardsAccepted);
            s.put("mean_shard_wait_ms", sumWaitMs / shardsAccepted);
        }
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

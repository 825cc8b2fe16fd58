package dptrain.coordinator;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.ClusterEvent;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import dptrain.cluster.protocol.CoordinatorProtocol.Command;
import dptrain.cluster.protocol.CoordinatorProtocol.WorkerFailed;
import dptrain.cluster.protocol.CoordinatorProtocol.WorkerReady;
import dptrain.cluster.protocol.CoordinatorProtocol.WorkerRefused;
import dptrain.cluster.protocol.WorkerProtocol;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The coordinator actor of a job: finds workers through the Receptionist, offers them the job, watches them
 * (DeathWatch and cluster reachability), and assigns each step's K shards to the live ones, weighting by their
 * measured speed. When a worker is lost its unfinished shards go to the others. It never touches parameters or
 * gradients: the step thread ({@link RemoteShardExecutor}) does, through the {@link JobBoard}.
 */
public final class Coordinator {
    /** Step thread → actor: the board's current step is ready (parameters on their way); assign its shards. */
    public enum StartStep implements Command { INSTANCE }

    /** Step thread → actor: a worker does not take its parameters; treat it as lost. */
    record Stalled(int workerId, String reason) implements Command {}

    /** Step thread → actor: the job ended; tell the workers. */
    record Finish(String status, ActorRef<Done> replyTo) implements Command {}

    /** Reply to {@link Finish}. */
    public enum Done { INSTANCE }

    private record Listed(Receptionist.Listing listing) implements Command {}

    private record WorkerStopped(ActorRef<WorkerProtocol.Command> ref) implements Command {}

    private record Reachability(ClusterEvent.ReachabilityEvent event) implements Command {}

    private final ActorContext<Command> ctx;
    private final JobBoard board;
    private final String gradChannel;
    private final Map<ActorRef<WorkerProtocol.Command>, Integer> offered = new HashMap<>();
    private final Set<Address> unreachable = new HashSet<>();
    private final List<Integer> pending = new ArrayList<>();
    private int nextId = 1;
    private boolean finished;

    private Coordinator(ActorContext<Command> ctx, JobBoard board, String gradChannel) {
        this.ctx = ctx;
        this.board = board;
        this.gradChannel = gradChannel;
    }

    /** The coordinator for the job on board; workers send gradients to gradChannel. */
    static Behavior<Command> create(JobBoard board, String gradChannel) {
        return Behaviors.setup(ctx -> {
            ActorRef<Receptionist.Listing> listings = ctx.messageAdapter(Receptionist.Listing.class, Listed::new);
            ctx.getSystem().receptionist().tell(Receptionist.subscribe(WorkerProtocol.SERVICE_KEY, listings));
            ActorRef<ClusterEvent.ReachabilityEvent> reach =
                    ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, Reachability::new);
            Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(reach, ClusterEvent.ReachabilityEvent.class));
            return new Coordinator(ctx, board, gradChannel).behavior();
        });
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(Listed.class, this::onListing)
                .onMessage(WorkerReady.class, this::onReady)
                .onMessage(WorkerRefused.class, this::onRefused)
                .onMessage(WorkerFailed.class, f -> lose(f.workerId(), "failed at step " + (f.step() + 1) + ": " + f.reason()))
                .onMessage(WorkerStopped.class, this::onStopped)
                .onMessage(Reachability.class, this::onReachability)
                .onMessage(Stalled.class, s -> lose(s.workerId(), s.reason()))
                .onMessageEquals(StartStep.INSTANCE, this::onStartStep)
                .onMessage(Finish.class, this::onFinish)
                .build();
    }

    private Behavior<Command> onListing(Listed l) {
        if (finished) {
            return Behaviors.same();
        }
        for (ActorRef<WorkerProtocol.Command> w : l.listing().getServiceInstances(WorkerProtocol.SERVICE_KEY)) {
            if (!offered.containsKey(w)) {
                int id = nextId++;
                offered.put(w, id);
                ctx.watchWith(w, new WorkerStopped(w));
                JobBoard.Job j = board.job;
                w.tell(new WorkerProtocol.JobOffer(j.id(), id, j.netSpec(), j.batchSize(), j.shards(), j.seed(),
                        j.trainSamples(), j.validationFraction(), j.fingerprint(), j.blas(), j.secret(), gradChannel,
                        dptrain.cluster.transport.DataPlane.GRAD_STREAM, ctx.getSelf()));
            }
        }
        return Behaviors.same();
    }

    private Behavior<Command> onReady(WorkerReady r) {
        if (r.jobId() != board.job.id() || finished) {
            return Behaviors.same();
        }
        JobBoard.Slot s = new JobBoard.Slot(r.workerId(), r.worker(), r.paramsChannel(), r.paramsStream(), r.host(), r.pid());
        if (unreachable.contains(r.worker().path().address())) {
            s.live = false;
        }
        board.workers.put(r.workerId(), s);
        board.workersJoined.incrementAndGet();
        board.event("worker " + r.workerId() + " joined (" + r.host() + ", pid " + r.pid() + ")");
        ctx.getLog().info("worker {} ready: {} pid {}, data plane {}", r.workerId(), r.host(), r.pid(), r.paramsChannel());
        assignPending();
        return Behaviors.same();
    }

    private Behavior<Command> onRefused(WorkerRefused r) {
        board.workersRefused.incrementAndGet();
        board.lastRefusal = "worker " + r.workerId() + " refused the job: " + r.reason();
        board.event(board.lastRefusal);
        ctx.getLog().error(board.lastRefusal);
        return Behaviors.same();
    }

    private Behavior<Command> onStopped(WorkerStopped w) {
        Integer id = offered.get(w.ref());
        return id == null ? Behaviors.same() : lose(id, "stopped (left the cluster or its node was downed)");
    }

    private Behavior<Command> onReachability(Reachability r) {
        Address a = r.event().member().address();
        if (r.event() instanceof ClusterEvent.UnreachableMember) {
            unreachable.add(a);
            for (JobBoard.Slot s : board.workers.values()) {
                if (s.live && s.ref.path().address().equals(a)) {
                    lose(s.id, "unreachable");
                }
            }
        } else if (r.event() instanceof ClusterEvent.ReachableMember) {
            unreachable.remove(a);
            for (JobBoard.Slot s : board.workers.values()) {
                if (!s.live && s.ref.path().address().equals(a) && offered.containsKey(s.ref)) {
                    s.live = true;
                    board.event("worker " + s.id + " reachable again");
                }
            }
            assignPending();
        }
        return Behaviors.same();
    }

    private Behavior<Command> lose(int workerId, String why) {
        JobBoard.Slot s = board.workers.get(workerId);
        if (s == null || !s.live || finished) {
            return Behaviors.same();
        }
        s.live = false;
        board.workersLost.incrementAndGet();
        JobBoard.Step step = board.current;
        List<Integer> orphans = new ArrayList<>();
        if (step != null) {
            for (int k = 0; k < step.owner.length(); k++) {
                if (step.owner.get(k) == workerId && step.accepted.get(k) == 0) {
                    orphans.add(k);
                }
            }
        }
        String msg = "worker " + workerId + " lost (" + why + ")"
                + (orphans.isEmpty() ? "" : "; shards " + orphans + " of step " + (step.step + 1) + " reassigned");
        board.event(msg);
        ctx.getLog().warn(msg);
        if (!orphans.isEmpty()) {
            board.shardsReassigned.addAndGet(orphans.size());
            assign(step, orphans);
        }
        return Behaviors.same();
    }

    private Behavior<Command> onStartStep() {
        JobBoard.Step step = board.current;
        pending.clear();
        List<Integer> all = new ArrayList<>();
        for (int k = 0; k < board.job.shards(); k++) {
            all.add(k);
        }
        assign(step, all);
        return Behaviors.same();
    }

    private void assignPending() {
        JobBoard.Step step = board.current;
        if (!pending.isEmpty() && step != null) {
            List<Integer> p = new ArrayList<>(pending);
            pending.clear();
            assign(step, p);
        }
    }

    /**
     * Gives shards to live workers: each shard to the worker that would finish it first, from its measured time
     * per sample and what it already holds this step (ties: fewer shards, then lower id). A worker left without
     * shards at a step's start has its estimate pulled toward the fastest, so it is tried again before long.
     */
    private void assign(JobBoard.Step step, List<Integer> shards) {
        List<JobBoard.Slot> live = board.live();
        if (live.isEmpty()) {
            pending.addAll(shards);
            return;
        }
        int b = board.job.batchSize();
        int kTotal = board.job.shards();
        double known = 0;
        int nKnown = 0;
        for (JobBoard.Slot s : live) {
            if (s.nanosPerSample > 0) {
                known += s.nanosPerSample;
                nKnown++;
            }
        }
        double fallback = nKnown == 0 ? 1 : known / nKnown;
        double[] load = new double[live.size()];
        int[] count = new int[live.size()];
        List<List<Integer>> given = new ArrayList<>();
        for (int i = 0; i < live.size(); i++) {
            given.add(new ArrayList<>());
        }
        for (int k : shards) {
            int size = dptrain.train.ShardPlan.end(b, kTotal, k) - dptrain.train.ShardPlan.start(b, kTotal, k);
            int best = 0;
            double bestFinish = Double.MAX_VALUE;
            for (int i = 0; i < live.size(); i++) {
                double rate = live.get(i).nanosPerSample > 0 ? live.get(i).nanosPerSample : fallback;
                double finish = load[i] + rate * size;
                if (finish < bestFinish - 1e-9 * bestFinish || (Math.abs(finish - bestFinish) <= 1e-9 * bestFinish
                        && count[i] < count[best])) {
                    best = i;
                    bestFinish = finish;
                }
            }
            load[best] = bestFinish;
            count[best]++;
            given.get(best).add(k);
        }
        // A worker measured once as slow (a cold JVM, a passing hiccup) would never be chosen again, so its estimate
        // could never improve: each step it gets nothing, its estimate moves 30 % of the way to the fastest one.
        double fastest = Double.MAX_VALUE;
        for (JobBoard.Slot s : live) {
            if (s.nanosPerSample > 0) {
                fastest = Math.min(fastest, s.nanosPerSample);
            }
        }
        for (int i = 0; i < live.size(); i++) {
            List<Integer> g = given.get(i);
            if (g.isEmpty()) {
                JobBoard.Slot s = live.get(i);
                if (s.nanosPerSample > 0 && fastest < Double.MAX_VALUE && shards.size() == kTotal) {
                    s.nanosPerSample = 0.7 * s.nanosPerSample + 0.3 * fastest;
                }
                continue;
            }
            JobBoard.Slot s = live.get(i);
            int[] ks = g.stream().mapToInt(Integer::intValue).toArray();
            for (int k : ks) {
                step.owner.set(k, s.id);
            }
            if (s.versionSent < step.version) {
                board.paramsRequests.add(s.id);
            }
            s.ref.tell(new WorkerProtocol.Assign(board.job.id(), step.step, step.version, step.batch, ks));
        }
    }

    private Behavior<Command> onFinish(Finish f) {
        finished = true;
        for (ActorRef<WorkerProtocol.Command> w : offered.keySet()) {
            w.tell(new WorkerProtocol.JobDone(board.job.id(), f.status()));
        }
        f.replyTo().tell(Done.INSTANCE);
        return Behaviors.same();
    }
}

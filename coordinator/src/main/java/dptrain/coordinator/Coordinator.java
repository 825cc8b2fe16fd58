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
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The coordinator actor of a job: finds workers through the Receptionist, offers them the job, and watches them
 * (DeathWatch and cluster reachability), keeping the {@link JobBoard}'s list of live workers. It never touches
 * shards, parameters or gradients: the step thread ({@link RemoteShardExecutor}) assigns each step's shards to the
 * workers live on the board and sends assignments and parameters over the data plane; when a worker is marked lost
 * here, that thread gives its unfinished shards to the others.
 */
public final class Coordinator {
    /** Step thread → actor: a worker does not take its assignment or parameters; treat it as lost. */
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
    private final String driverId;
    private final int gradStream;
    /** The nodes this job may use (null: every worker that registers). */
    private final Set<Address> only;
    private final Map<ActorRef<WorkerProtocol.Command>, Integer> offered = new HashMap<>();
    private final Set<Address> unreachable = new HashSet<>();
    private int nextId;
    private boolean finished;

    private Coordinator(ActorContext<Command> ctx, JobBoard board, String gradChannel, String driverId,
                        int gradStream, Set<Address> only, int firstWorkerId) {
        this.ctx = ctx;
        this.board = board;
        this.gradChannel = gradChannel;
        this.driverId = driverId;
        this.gradStream = gradStream;
        this.only = only;
        this.nextId = firstWorkerId;
    }

    /**
     * The coordinator for the job on board; workers send gradients to gradChannel, or over IPC when they are clients
     * of the driver named driverId.
     */
    static Behavior<Command> create(JobBoard board, String gradChannel, String driverId) {
        return create(board, gradChannel, driverId, dptrain.cluster.transport.DataPlane.GRAD_STREAM, null, 1);
    }

    /**
     * The coordinator of a job that offers itself only to the worker nodes at the addresses in only (a search's
     * group of workers for one trial), numbering them from firstWorkerId; workers send gradients to gradChannel on
     * gradStream (over IPC when they share the driver driverId). Several such jobs can share one node and one data
     * plane; worker numbers (so their IPC parameter streams) do not overlap between them.
     */
    static Behavior<Command> create(JobBoard board, String gradChannel, String driverId, int gradStream,
                                    Set<Address> only, int firstWorkerId) {
        return Behaviors.setup(ctx -> {
            ActorRef<Receptionist.Listing> listings = ctx.messageAdapter(Receptionist.Listing.class, Listed::new);
            ctx.getSystem().receptionist().tell(Receptionist.subscribe(WorkerProtocol.SERVICE_KEY, listings));
            ActorRef<ClusterEvent.ReachabilityEvent> reach =
                    ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, Reachability::new);
            Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(reach, ClusterEvent.ReachabilityEvent.class));
            return new Coordinator(ctx, board, gradChannel, driverId, gradStream, only, firstWorkerId).behavior();
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
                .onMessage(Finish.class, this::onFinish)
                .build();
    }

    private Behavior<Command> onListing(Listed l) {
        if (finished) {
            return Behaviors.same();
        }
        for (ActorRef<WorkerProtocol.Command> w : l.listing().getServiceInstances(WorkerProtocol.SERVICE_KEY)) {
            if (!offered.containsKey(w) && (only == null || only.contains(w.path().address()))) {
                int id = nextId++;
                offered.put(w, id);
                ctx.watchWith(w, new WorkerStopped(w));
                JobBoard.Job j = board.job;
                w.tell(new WorkerProtocol.JobOffer(j.id(), id, j.netSpec(), j.batchSize(), j.shards(), j.seed(),
                        j.trainSamples(), j.validationFraction(), j.fingerprint(), j.blas(), j.wire().toString(),
                        j.secret(), gradChannel, gradStream, driverId, ctx.getSelf()));
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
        }
        return Behaviors.same();
    }

    /** Marks a worker lost; the step thread reassigns its unfinished shards (and says so in the metrics). */
    private Behavior<Command> lose(int workerId, String why) {
        JobBoard.Slot s = board.workers.get(workerId);
        if (s == null || !s.live || finished) {
            return Behaviors.same();
        }
        board.workersLost.incrementAndGet();
        String msg = "worker " + workerId + " lost (" + why + ")";
        board.event(msg); // before the flag: whoever sees the worker gone finds it counted and the event recorded
        ctx.getLog().warn(msg);
        s.live = false;
        return Behaviors.same();
    }

    private Behavior<Command> onFinish(Finish f) {
        finished = true;
        for (ActorRef<WorkerProtocol.Command> w : offered.keySet()) {
            w.tell(new WorkerProtocol.JobDone(board.job.id(), f.status()));
        }
        f.replyTo().tell(Done.INSTANCE);
        return only == null ? Behaviors.same() : Behaviors.stopped(); // a trial's job: its node goes on
    }
}

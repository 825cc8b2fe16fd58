package dptrain.coordinator;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.ClusterEvent;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import dptrain.cluster.protocol.SearchProtocol;
import dptrain.cluster.protocol.SearchProtocol.CheckpointChunk;
import dptrain.cluster.protocol.SearchProtocol.Command;
import dptrain.cluster.protocol.SearchProtocol.RunTrial;
import dptrain.cluster.protocol.SearchProtocol.TrialEnded;
import dptrain.cluster.protocol.SearchProtocol.TrialEpoch;
import dptrain.cluster.protocol.SearchProtocol.TrialStarted;
import dptrain.cluster.protocol.SearchProtocol.TrialWorkerCommand;
import dptrain.search.SearchPlan;
import dptrain.search.SearchPlan.Result;
import dptrain.search.SearchPlan.Unit;
import dptrain.util.JsonCodec;
import dptrain.worker.TrialRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The coordinator of a search: finds trial workers through the Receptionist, gives each idle one the next unit the
 * {@link SearchPlan} allows (with the trial's latest checkpoint when it resumes), records results in the
 * {@link SearchBook}, and gives a lost worker's unit to another worker, resuming from its last checkpoint. Which
 * worker runs what only changes how fast the search goes, never what it finds.
 */
public final class SearchCoordinator {
    /** Builds the {@code train} command line of a trial's seed. */
    public interface TrialArgs {
        /** The arguments for trial t's seedIndex-th seed. */
        String[] args(int trial, int seedIndex);
    }

    /** How a unit is trained data-parallel over a group of worker nodes (--workers-per-trial). */
    public interface GroupTrials {
        /** A runner for one unit over the nodes at group, in this node (system) and on the caller's thread. */
        TrialRunner over(ActorSystem<?> system, Set<Address> group);
    }

    /**
     * What the search coordinator needs to know. With workersPerTrial G > 1 each unit trains over G workers at once
     * through groups; with G = 1 a worker runs a unit alone on its own threads.
     */
    public record Setup(long searchId, SearchBook book, TrialArgs args, int maxConcurrent, String mnistFingerprint,
                        String blas, CompletableFuture<String> done, int workersPerTrial, GroupTrials groups) {
        /** One worker per trial. */
        public Setup(long searchId, SearchBook book, TrialArgs args, int maxConcurrent, String mnistFingerprint,
                     String blas, CompletableFuture<String> done) {
            this(searchId, book, args, maxConcurrent, mnistFingerprint, blas, done, 1, null);
        }
    }

    /** A unit on a worker, for the live view: the worker's name, the unit, the last epoch it reported, its values. */
    public record Running(String worker, Unit unit, double epoch, Map<String, String> values) {}

    /**
     * What the live view shows, replaced as a whole after each message: live workers, the units running, retries,
     * and the top 10 (leaderboard.txt's text, as of its last refresh).
     */
    public record Status(int workers, List<Running> running, int retries, String leaderboard, long epochsDone,
                         int scored, String best) {}

    /** Main thread → actor: the search is over; tell the workers. */
    public record Finish(String status, ActorRef<Boolean> replyTo) implements Command {}

    private record Listed(Receptionist.Listing listing) implements Command {}

    private record WorkerGone(ActorRef<TrialWorkerCommand> ref, String why) implements Command {}

    private record Reachability(ClusterEvent.ReachabilityEvent event) implements Command {}

    /** Timer: trials.csv and leaderboard.txt are due. */
    private enum WriteTables implements Command { INSTANCE }

    /**
     * trials.csv and leaderboard.txt, views of the journal rewritten whole, are refreshed at most this often (and
     * by the search at its end): with small trials ending several times a second, rewriting them after every result
     * took CPU from the trials as the table grew.
     */
    static final Duration TABLES_EVERY = Duration.ofSeconds(2);

    /** A unit in flight: on one worker, or on a group of them trained from a thread of this node. */
    private static final class Flight {
        final Unit unit;
        final List<ActorRef<TrialWorkerCommand>> members;
        final long started = System.nanoTime();
        final AtomicBoolean stop = new AtomicBoolean();
        String worker;
        double epoch;
        ByteArrayOutputStream chunks;
        Thread thread;

        Flight(Unit unit, List<ActorRef<TrialWorkerCommand>> members) {
            this.unit = unit;
            this.members = members;
            this.worker = members.size() == 1 ? members.get(0).path().address().hostPort()
                    : "group " + String.join("+", members.stream().map(m -> m.path().address().hostPort()).toList());
        }

        boolean group() {
            return thread != null;
        }
    }

    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final Setup setup;
    private final SearchPlan plan;
    private final Set<ActorRef<TrialWorkerCommand>> known = new LinkedHashSet<>();
    private final ArrayDeque<ActorRef<TrialWorkerCommand>> idle = new ArrayDeque<>();
    private final Set<ActorRef<TrialWorkerCommand>> refused = new HashSet<>();
    private final Set<Address> unreachable = new HashSet<>();
    private final Map<Long, Flight> flights = new LinkedHashMap<>();
    private final Map<ActorRef<TrialWorkerCommand>, Long> busy = new HashMap<>();
    private final ConcurrentLinkedQueue<String> events;
    private volatile Status status = new Status(0, List.of(), 0, "", 0, 0, "-");
    private String leaderboard = "";
    // The plan's figures in the live view, as of the last result (summarizePlan).
    private long epochsDone;
    private int scored;
    private String best = "-";
    private long nextUnit = 1;
    private boolean finished;
    private long tablesWrittenAt = System.nanoTime() - TABLES_EVERY.toNanos();

    private SearchCoordinator(ActorContext<Command> ctx, TimerScheduler<Command> timers, Setup setup,
                              ConcurrentLinkedQueue<String> events) {
        this.ctx = ctx;
        this.timers = timers;
        this.setup = setup;
        this.plan = setup.book().plan();
        this.events = events;
    }

    /** The search coordinator; it posts what a user should see (workers joining, lost, trials ending) to events. */
    public static Behavior<Command> create(Setup setup, ConcurrentLinkedQueue<String> events,
                                           java.util.function.Consumer<java.util.function.Supplier<Status>> statusOut) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            ActorRef<Receptionist.Listing> listings = ctx.messageAdapter(Receptionist.Listing.class, Listed::new);
            ctx.getSystem().receptionist().tell(Receptionist.subscribe(SearchProtocol.TRIAL_WORKERS, listings));
            ActorRef<ClusterEvent.ReachabilityEvent> reach =
                    ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, Reachability::new);
            Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(reach, ClusterEvent.ReachabilityEvent.class));
            SearchCoordinator c = new SearchCoordinator(ctx, timers, setup, events);
            c.summarizePlan(); // the live view starts from the plan as replayed, not from zero
            c.publish();
            statusOut.accept(() -> c.status);
            c.checkDone();
            return c.behavior();
        }));
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(Listed.class, this::onListing)
                .onMessage(WorkerGone.class, g -> lose(g.ref(), g.why()))
                .onMessage(Reachability.class, this::onReachability)
                .onMessage(TrialStarted.class, this::onStarted)
                .onMessage(TrialEpoch.class, this::onEpoch)
                .onMessage(CheckpointChunk.class, this::onChunk)
                .onMessage(TrialEnded.class, this::onEnded)
                .onMessage(Finish.class, this::onFinish)
                .onMessageEquals(WriteTables.INSTANCE, () -> {
                    if (!finished) {
                        writeTables();
                    }
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Command> onListing(Listed l) {
        for (ActorRef<TrialWorkerCommand> w : l.listing().getServiceInstances(SearchProtocol.TRIAL_WORKERS)) {
            if (known.add(w)) {
                ctx.watchWith(w, new WorkerGone(w, "stopped: it left the cluster or its node was downed"));
                if (!unreachable.contains(w.path().address())) {
                    idle.add(w);
                }
                events.add("worker " + w.path().address().hostPort() + " joined");
            }
        }
        return dispatch();
    }

    private Behavior<Command> onReachability(Reachability r) {
        Address a = r.event().member().address();
        if (r.event() instanceof ClusterEvent.UnreachableMember) {
            unreachable.add(a);
            for (ActorRef<TrialWorkerCommand> w : new ArrayList<>(known)) {
                if (w.path().address().equals(a)) {
                    lose(w, "unreachable");
                }
            }
        } else if (r.event() instanceof ClusterEvent.ReachableMember && unreachable.remove(a)) {
            for (ActorRef<TrialWorkerCommand> w : known) {
                if (w.path().address().equals(a) && !refused.contains(w) && !busy.containsKey(w) && !idle.contains(w)) {
                    idle.add(w);
                    events.add("worker " + a.hostPort() + " reachable again");
                }
            }
        }
        return dispatch();
    }

    /** A worker is gone or unreachable: its unit goes back to the plan, counted as a retry. */
    private Behavior<Command> lose(ActorRef<TrialWorkerCommand> w, String why) {
        idle.remove(w);
        Long id = busy.get(w);
        if (id != null && flights.get(id).group()) {
            // Its shards go to the rest of the group (the job's own coordinator sees the loss too); the unit goes on.
            // It stays busy until the unit ends, so that it cannot take other work while the job may still count it.
            events.add("worker " + w.path().address().hostPort() + " lost (" + why + ") during " + flights.get(id).unit
                    + "; the rest of its group takes its shards");
        } else if (id != null) {
            busy.remove(w);
            Flight f = flights.remove(id);
            String reason = "worker " + f.worker + " lost (" + why + ")";
            retry(f.unit, reason);
            events.add(reason + " during " + f.unit + "; it goes to another worker, from its last checkpoint");
        } else if (known.contains(w) && !finished && w.path().address().hasGlobalScope()) {
            events.add("worker " + w.path().address().hostPort() + " lost (" + why + ")");
        }
        if (why.startsWith("stopped")) {
            known.remove(w);
        }
        return dispatch();
    }

    private void retry(Unit u, String reason) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("type", "retry");
        j.put("trial", u.trial());
        j.put("seed_index", u.seedIndex());
        j.put("rung", u.rung());
        j.put("epoch", u.epoch());
        j.put("reason", reason);
        setup.book().journal(j);
        boolean again = plan.retry(u, reason);
        summarizePlan();
        if (!again) {
            events.add("trial " + u.trial() + " failed: " + reason + " (more than --max-retries "
                    + plan.settings().maxRetries() + ")");
        }
        tables();
    }

    private Behavior<Command> onStarted(TrialStarted s) {
        Flight f = flights.get(s.unitId());
        if (f != null && s.searchId() == setup.searchId()) {
            f.worker = s.worker();
            publish();
        }
        return Behaviors.same();
    }

    private Behavior<Command> onEpoch(TrialEpoch e) {
        Flight f = flights.get(e.unitId());
        if (f == null || e.searchId() != setup.searchId()) {
            return Behaviors.same();
        }
        for (String record : e.records().split("\n")) {
            if (record.isBlank()) {
                continue;
            }
            try {
                double ep = setup.book().appendEpoch(f.unit.trial(), f.unit.seedIndex(), record);
                f.epoch = Double.isNaN(ep) ? f.epoch : ep;
            } catch (IOException | RuntimeException ex) {
                ctx.getLog().warn("cannot record an epoch of {}: {}", f.unit, ex.toString());
            }
        }
        publish();
        return Behaviors.same();
    }

    private Behavior<Command> onChunk(CheckpointChunk c) {
        Flight f = flights.get(c.unitId());
        if (f == null || c.searchId() != setup.searchId()) {
            return Behaviors.same();
        }
        if (c.offset() == 0) {
            f.chunks = new ByteArrayOutputStream(c.total());
        }
        if (f.chunks != null && c.offset() == f.chunks.size()) {
            f.chunks.write(c.bytes(), 0, c.bytes().length);
            if (f.chunks.size() == c.total()) {
                try {
                    setup.book().storeCheckpoint(f.unit.trial(), f.unit.seedIndex(), f.chunks.toByteArray());
                } catch (IOException ex) {
                    ctx.getLog().warn("cannot keep the checkpoint of {}: {}", f.unit, ex.toString());
                }
                f.chunks = null;
            }
        }
        return Behaviors.same();
    }

    private Behavior<Command> onEnded(TrialEnded e) {
        if (e.searchId() != setup.searchId()) {
            return Behaviors.same();
        }
        Flight f = flights.remove(e.unitId());
        if (f == null) {
            return Behaviors.same(); // a unit already given to another worker
        }
        List<ActorRef<TrialWorkerCommand>> back = new ArrayList<>();
        for (ActorRef<TrialWorkerCommand> m : f.members) {
            busy.remove(m);
            if (known.contains(m) && !unreachable.contains(m.path().address())) {
                back.add(m);
            }
        }
        double secs = (System.nanoTime() - f.started) / 1e9;
        Unit u = f.unit;
        switch (e.status()) {
            case "ok" -> {
                Map<String, Object> s = JsonCodec.readObject(e.summary());
                Result r = Result.ok(num(s.get("validation_accuracy")), num(s.get("validation_loss")),
                        ((Number) s.get("steps")).longValue(), (String) s.get("params_sha256"));
                setup.book().record(u, r, f.worker, secs);
                if (u.rung() == plan.rungs().length - 1 || plan.settings().asha()) {
                    events.add(String.format(java.util.Locale.ROOT, "%s: validation accuracy %.2f%% (%s)", u,
                            100 * r.accuracy(), f.worker));
                }
                idle.addAll(back);
            }
            case SearchPlan.DIVERGED -> {
                Map<String, Object> s = e.summary() == null ? Map.of() : JsonCodec.readObject(e.summary());
                long steps = s.get("steps") instanceof Number n ? n.longValue() : 0;
                setup.book().record(u, new Result(SearchPlan.DIVERGED, Double.NaN, Double.NaN, steps, null,
                        e.error()), f.worker, secs);
                events.add("trial " + u.trial() + " diverged: " + e.error());
                idle.addAll(back);
            }
            case "refused" -> {
                refused.addAll(f.members);
                events.add("worker " + f.worker + " refused work: " + e.error());
                if (refused.containsAll(known)) {
                    fail("every worker refused the search's work; the last said: " + e.error());
                }
            }
            default -> {
                retry(u, String.valueOf(e.error()));
                events.add(u + " failed on " + f.worker + ": " + e.error());
                idle.addAll(back);
            }
        }
        summarizePlan();
        sendReady(); // before the tables: the next unit need not wait for trials.csv
        tables();
        publish();
        checkDone();
        return Behaviors.same();
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private Behavior<Command> dispatch() {
        sendReady();
        publish();
        checkDone();
        return Behaviors.same();
    }

    /** Gives idle workers the units the plan allows now. */
    private void sendReady() {
        int g = setup.workersPerTrial();
        while (!finished && idle.size() >= g && flights.size() < setup.maxConcurrent()) {
            List<Unit> ready = plan.ready(inFlight(), 1);
            if (ready.isEmpty()) {
                break;
            }
            if (g == 1) {
                send(ready.get(0), idle.poll());
            } else {
                List<ActorRef<TrialWorkerCommand>> group = new ArrayList<>();
                for (int i = 0; i < g; i++) {
                    group.add(idle.poll());
                }
                startGroup(ready.get(0), group);
            }
        }
    }

    /**
     * Trains u over a group of workers from a thread of this node; what it reports comes back as the messages a
     * lone worker would send (epochs, the checkpoint whole, the end), so the rest of the search does not differ.
     */
    private void startGroup(Unit u, List<ActorRef<TrialWorkerCommand>> group) {
        long id = nextUnit++;
        byte[] from = checkpointOf(u);
        Set<Address> addresses = new LinkedHashSet<>();
        for (ActorRef<TrialWorkerCommand> m : group) {
            addresses.add(m.path().address());
        }
        TrialRunner runner = setup.groups().over(ctx.getSystem(), addresses);
        String[] args = setup.args().args(u.trial(), u.seedIndex());
        ActorRef<Command> self = ctx.getSelf();
        long search = setup.searchId();
        Flight f = new Flight(u, List.copyOf(group));
        AtomicBoolean stop = f.stop;
        f.thread = new Thread(() -> {
            TrialEnded end;
            try {
                TrialRunner.Outcome o = runner.run(args, u.epoch(), from, new TrialRunner.Events() {
                    @Override
                    public void epoch(String record) {
                        self.tell(new TrialEpoch(search, id, record));
                    }

                    @Override
                    public void checkpoint(long step, byte[] bytes) {
                        self.tell(new CheckpointChunk(search, id, step, 0, bytes.length, bytes));
                    }
                }, stop::get);
                end = new TrialEnded(search, id, o.status(), o.summary(), o.error());
            } catch (java.util.concurrent.CancellationException e) {
                return; // the search is over
            } catch (Exception | Error e) {
                end = new TrialEnded(search, id, "failed", null, "on group " + addresses + ": "
                        + (e.getMessage() == null ? e.toString() : e.getMessage()));
            }
            self.tell(end);
        }, "dptrain-group-trial-" + u.trial() + "-seed-" + u.seedIndex());
        f.thread.setDaemon(true);
        setup.book().unitSent();
        flights.put(id, f);
        for (ActorRef<TrialWorkerCommand> m : group) {
            busy.put(m, id);
        }
        f.thread.start();
    }

    private byte[] checkpointOf(Unit u) {
        try {
            return setup.book().checkpoint(u.trial(), u.seedIndex());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the checkpoint of " + u, e);
        }
    }

    private void checkDone() {
        if (!finished && flights.isEmpty() && plan.finished(Set.of())) {
            setup.done().complete("completed");
        }
    }

    private void send(Unit u, ActorRef<TrialWorkerCommand> w) {
        long id = nextUnit++;
        byte[] from = checkpointOf(u);
        int n = from == null ? 0 : from.length;
        for (int off = 0; off < n; off += SearchProtocol.CHUNK_BYTES) {
            int len = Math.min(SearchProtocol.CHUNK_BYTES, n - off);
            w.tell(new CheckpointChunk(setup.searchId(), id, -1, off, n, java.util.Arrays.copyOfRange(from, off, off + len)));
        }
        w.tell(new RunTrial(setup.searchId(), id, u.trial(), u.seedIndex(), u.epoch(),
                setup.args().args(u.trial(), u.seedIndex()), setup.mnistFingerprint(), setup.blas(), n, ctx.getSelf()));
        setup.book().unitSent();
        Flight f = new Flight(u, List.of(w));
        flights.put(id, f);
        busy.put(w, id);
    }

    private Set<Unit> inFlight() {
        Set<Unit> s = new HashSet<>();
        for (Flight f : flights.values()) {
            s.add(f.unit);
        }
        return s;
    }

    /** Refreshes trials.csv and leaderboard.txt now, or once TABLES_EVERY has passed since the last time. */
    private void tables() {
        if (System.nanoTime() - tablesWrittenAt >= TABLES_EVERY.toNanos()) {
            writeTables();
        } else if (!timers.isTimerActive(WriteTables.INSTANCE)) {
            timers.startSingleTimer(WriteTables.INSTANCE, WriteTables.INSTANCE,
                    TABLES_EVERY.minusNanos(System.nanoTime() - tablesWrittenAt));
        }
    }

    private void writeTables() {
        timers.cancel(WriteTables.INSTANCE);
        tablesWrittenAt = System.nanoTime();
        try {
            setup.book().writeTables(inFlight(), false);
            leaderboard = setup.book().leaderboard(10);
        } catch (IOException e) {
            ctx.getLog().warn("cannot write trials.csv: {}", e.toString());
        }
    }

    private void publish() {
        List<Running> r = new ArrayList<>();
        for (Flight f : flights.values()) {
            r.add(new Running(f.worker, f.unit, f.epoch, plan.values(f.unit.trial())));
        }
        status = new Status(known.size() - refused.size(), List.copyOf(r), plan.retries(), leaderboard,
                epochsDone, scored, best);
    }

    /**
     * Reads what the live view shows of the plan (which is this actor's: the main thread gets it handed over in
     * {@link Status}); called when results change, not at every epoch report.
     */
    private void summarizePlan() {
        epochsDone = plan.epochs()[0];
        scored = plan.scoredTrials();
        List<Integer> rank = plan.ranking();
        best = rank.isEmpty() ? "-" : String.format(java.util.Locale.ROOT, "%.2f%% (#%d)",
                100 * plan.score(rank.get(0), plan.topRung(rank.get(0))), rank.get(0));
    }

    private void fail(String why) {
        setup.done().completeExceptionally(new IllegalStateException(why));
    }

    private Behavior<Command> onFinish(Finish f) {
        finished = true;
        for (Flight g : flights.values()) {
            g.stop.set(true); // a group's thread stops at its next step; the search waits for it (GroupTrials)
        }
        for (ActorRef<TrialWorkerCommand> w : known) {
            w.tell(new SearchProtocol.StopSearch(setup.searchId(), f.status()));
        }
        f.replyTo().tell(Boolean.TRUE);
        return Behaviors.same();
    }
}

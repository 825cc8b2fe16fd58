package dptrain.worker;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import dptrain.cluster.protocol.SearchProtocol;
import dptrain.cluster.protocol.SearchProtocol.CheckpointChunk;
import dptrain.cluster.protocol.SearchProtocol.RunTrial;
import dptrain.cluster.protocol.SearchProtocol.StopSearch;
import dptrain.cluster.protocol.SearchProtocol.TrialEnded;
import dptrain.cluster.protocol.SearchProtocol.TrialWorkerCommand;
import dptrain.tensor.Blas;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The search side of a worker node: registers with the Receptionist, takes one unit of a search at a time and runs
 * it with the node's {@link TrialRunner} on a thread of its own (never on the actor's dispatcher), sending each
 * epoch's record, checkpoints and the end back to the search coordinator.
 */
public final class TrialWorker {
    /** Local: the unit's thread ended. */
    private record UnitOver(long unitId) implements TrialWorkerCommand {}

    private final ActorContext<TrialWorkerCommand> ctx;
    private final TrialRunner runner;
    private final Runnable onSearchDone;
    private final String name;
    private long searchId = -1;
    private long unitId = -1;
    private long chunksFor = -1;
    private ByteArrayOutputStream resume;
    private Thread thread;
    private AtomicBoolean stop;

    private TrialWorker(ActorContext<TrialWorkerCommand> ctx, TrialRunner runner, Runnable onSearchDone, String host) {
        this.ctx = ctx;
        this.runner = runner;
        this.onSearchDone = onSearchDone;
        this.name = akka.cluster.typed.Cluster.get(ctx.getSystem()).selfMember().address().hostPort() + " (pid "
                + ProcessHandle.current().pid() + ")";
    }

    /** A trial worker running units with runner; onSearchDone runs when a search ends (exit-after-job nodes stop). */
    public static Behavior<TrialWorkerCommand> create(TrialRunner runner, Runnable onSearchDone, String host) {
        return Behaviors.setup(ctx -> {
            ctx.getSystem().receptionist().tell(Receptionist.register(SearchProtocol.TRIAL_WORKERS, ctx.getSelf()));
            return new TrialWorker(ctx, runner, onSearchDone, host).behavior();
        });
    }

    private Behavior<TrialWorkerCommand> behavior() {
        return Behaviors.receive(TrialWorkerCommand.class)
                .onMessage(CheckpointChunk.class, this::onChunk)
                .onMessage(RunTrial.class, this::onRun)
                .onMessage(StopSearch.class, this::onStop)
                .onMessage(UnitOver.class, u -> {
                    if (u.unitId() == unitId) {
                        thread = null;
                        unitId = -1;
                    }
                    return Behaviors.same();
                })
                .onSignal(PostStop.class, s -> {
                    halt();
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<TrialWorkerCommand> onChunk(CheckpointChunk c) {
        if (c.unitId() != chunksFor) {
            chunksFor = c.unitId();
            resume = new ByteArrayOutputStream(c.total());
        }
        if (c.offset() == resume.size()) {
            resume.write(c.bytes(), 0, c.bytes().length);
        }
        return Behaviors.same();
    }

    private Behavior<TrialWorkerCommand> onRun(RunTrial r) {
        if (r.searchId() != searchId) {
            halt(); // a new (or restarted) coordinator: whatever ran for the old one is of no use
            searchId = r.searchId();
        } else if (thread != null) {
            // The coordinator gives work only to workers it counts as idle: it gave up on the unit still running
            // here (this node was unreachable for a while, and the unit went to another worker).
            ctx.getLog().info("unit {} of search {} was given up by the coordinator; starting unit {}", unitId,
                    searchId, r.unitId());
            halt();
        }
        byte[] from = null;
        if (r.resumeBytes() > 0) {
            if (chunksFor != r.unitId() || resume == null || resume.size() != r.resumeBytes()) {
                r.replyTo().tell(new TrialEnded(r.searchId(), r.unitId(), "failed", null, "worker " + name
                        + " did not receive the whole checkpoint (" + (resume == null ? 0 : resume.size()) + " of "
                        + r.resumeBytes() + " bytes)"));
                return Behaviors.same();
            }
            from = resume.toByteArray();
        }
        resume = null;
        chunksFor = -1;
        String fp = runner.mnistFingerprint();
        if (!fp.equals(r.mnistFingerprint())) {
            return refuse(r, "this worker's MNIST training images have fingerprint " + fp + ", the coordinator's "
                    + r.mnistFingerprint() + ": different MNIST files");
        }
        if (!Blas.identity().equals(r.blas())) {
            return refuse(r, "this worker computes with BLAS " + Blas.identity() + ", the search with " + r.blas()
                    + ": results would differ in the last bits");
        }
        unitId = r.unitId();
        stop = new AtomicBoolean();
        AtomicBoolean halt = stop;
        byte[] resumeFrom = from;
        ActorRef<TrialWorkerCommand> self = ctx.getSelf();
        ActorRef<SearchProtocol.Command> to = r.replyTo();
        long search = r.searchId();
        long unit = r.unitId();
        to.tell(new SearchProtocol.TrialStarted(search, unit, name, self));
        thread = new Thread(() -> {
            EpochReports reports = new EpochReports(to, search, unit);
            TrialEnded end;
            try {
                TrialRunner.Outcome o = runner.run(r.args(), r.epoch(), resumeFrom, new TrialRunner.Events() {
                    @Override
                    public void epoch(String record) {
                        reports.add(record);
                    }

                    @Override
                    public void checkpoint(long step, byte[] bytes) {
                        reports.send(); // the epochs a checkpoint covers arrive before it
                        for (int off = 0; off < bytes.length; off += SearchProtocol.CHUNK_BYTES) {
                            int n = Math.min(SearchProtocol.CHUNK_BYTES, bytes.length - off);
                            to.tell(new CheckpointChunk(search, unit, step, off, bytes.length,
                                    java.util.Arrays.copyOfRange(bytes, off, off + n)));
                        }
                    }
                }, halt::get);
                end = new TrialEnded(search, unit, o.status(), o.summary(), o.error());
            } catch (CancellationException e) {
                end = null;
            } catch (Exception | Error e) {
                end = new TrialEnded(search, unit, "failed", null, "on worker " + name + ": "
                        + (e.getMessage() == null ? e.toString() : e.getMessage()));
            }
            if (end != null && !halt.get()) {
                reports.send();
                to.tell(end);
            }
            self.tell(new UnitOver(unit));
        }, "dptrain-trial-" + r.trial() + "-seed-" + r.seedIndex());
        thread.setDaemon(true);
        thread.start();
        ctx.getLog().info("unit {} of search {}: trial {} seed {} to epoch {}{}", unit, search, r.trial(),
                r.seedIndex(), r.epoch(), from == null ? "" : " (resuming from a " + from.length + "-byte checkpoint)");
        return Behaviors.same();
    }

    private Behavior<TrialWorkerCommand> refuse(RunTrial r, String reason) {
        ctx.getLog().error("refusing unit {} of search {}: {}", r.unitId(), r.searchId(), reason);
        r.replyTo().tell(new TrialEnded(r.searchId(), r.unitId(), "refused", null, reason));
        return Behaviors.same();
    }

    private Behavior<TrialWorkerCommand> onStop(StopSearch s) {
        if (s.searchId() == searchId || searchId == -1) {
            ctx.getLog().info("search {} ended ({})", s.searchId(), s.status());
            halt();
            searchId = -1;
            onSearchDone.run();
        }
        return Behaviors.same();
    }

    /**
     * A unit's epoch records on their way to the coordinator, sent together at most every {@link #EVERY_NANOS} (and
     * before a checkpoint and at the end): a small trial ends an epoch every few milliseconds, and one message each
     * kept both nodes' actors busy on the cores the trials need. Used on the unit's thread only.
     */
    private static final class EpochReports {
        static final long EVERY_NANOS = 1_000_000_000L;
        private final ActorRef<SearchProtocol.Command> to;
        private final long search;
        private final long unit;
        private final StringBuilder lines = new StringBuilder();
        private long sentAt = System.nanoTime();

        EpochReports(ActorRef<SearchProtocol.Command> to, long search, long unit) {
            this.to = to;
            this.search = search;
            this.unit = unit;
        }

        void add(String record) {
            lines.append(record).append('\n');
            if (System.nanoTime() - sentAt >= EVERY_NANOS) {
                send();
            }
        }

        void send() {
            if (lines.length() > 0) {
                to.tell(new SearchProtocol.TrialEpoch(search, unit, lines.toString()));
                lines.setLength(0);
            }
            sentAt = System.nanoTime();
        }
    }

    /** Stops the running unit, if any, and waits for its thread. */
    private void halt() {
        if (thread != null) {
            stop.set(true);
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
            unitId = -1;
        }
    }
}

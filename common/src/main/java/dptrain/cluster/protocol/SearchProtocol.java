package dptrain.cluster.protocol;

import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.ServiceKey;

/**
 * The messages of a search between the search coordinator and the trial workers (one per worker node). A unit of
 * work is one seed of one trial trained up to an epoch; its checkpoint travels in chunks small enough for Akka's
 * frames, before the {@link RunTrial} that resumes from it (Akka keeps the order between two actors) and after
 * epochs on the way back.
 */
public final class SearchProtocol {
    private SearchProtocol() {}

    /** Trial workers register under this key; the search coordinator subscribes to it. */
    public static final ServiceKey<TrialWorkerCommand> TRIAL_WORKERS =
            ServiceKey.create(TrialWorkerCommand.class, "dptrain-trial-worker");

    /** Largest checkpoint chunk, well inside Akka's 256 KiB frames and the Kryo buffer. */
    public static final int CHUNK_BYTES = 128 * 1024;

    /** What a trial worker understands. */
    public interface TrialWorkerCommand {}

    /** What the search coordinator hears from trial workers. */
    public interface Command {}

    /**
     * Coordinator → worker: train {@code args} (a {@code train} command line) up to {@code epoch}, resuming from the
     * checkpoint sent just before in chunks when {@code resumeBytes} > 0. The worker checks its MNIST files and BLAS
     * against the coordinator's first.
     */
    public record RunTrial(long searchId, long unitId, int trial, int seedIndex, int epoch, String[] args,
                           String mnistFingerprint, String blas, int resumeBytes, ActorRef<Command> replyTo)
            implements TrialWorkerCommand, WireMessage {}

    /** Either way: part of a checkpoint file (of {@code step}) at {@code offset}, {@code total} bytes in all. */
    public record CheckpointChunk(long searchId, long unitId, long step, int offset, int total, byte[] bytes)
            implements TrialWorkerCommand, Command, WireMessage {}

    /** Coordinator → worker: the search is over; stop any unit of it and release the worker. */
    public record StopSearch(long searchId, String status) implements TrialWorkerCommand, WireMessage {}

    /** Worker → coordinator: the unit started on this worker ({@code worker}: its host and pid). */
    public record TrialStarted(long searchId, long unitId, String worker, ActorRef<TrialWorkerCommand> from)
            implements Command, WireMessage {}

    /**
     * Worker → coordinator: epochs ended; {@code records} holds their metrics.jsonl lines (JSON, one per line, in
     * order), sent together about once a second, before a checkpoint and before the unit's end.
     */
    public record TrialEpoch(long searchId, long unitId, String records) implements Command, WireMessage {}

    /**
     * Worker → coordinator: the unit ended. {@code status} is "ok" (reached its epoch), "diverged" (NaN/Inf; the
     * error says at which step) or "failed" (the worker could not run it; retried elsewhere); {@code summary} is the
     * trainer's summary (JSON) when there is one.
     */
    public record TrialEnded(long searchId, long unitId, String status, String summary, String error)
            implements Command, WireMessage {}
}

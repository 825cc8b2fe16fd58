package dptrain.cluster.protocol;

import akka.actor.typed.ActorRef;

/** What the coordinator actor hears from workers (the rest of its protocol is local to it). */
public final class CoordinatorProtocol {
    private CoordinatorProtocol() {}

    /** The coordinator's messages. */
    public interface Command {}

    /**
     * Worker → coordinator: ready for the job. Parameters for this worker go to {@code paramsChannel} /
     * {@code paramsStream}.
     */
    public record WorkerReady(long jobId, int workerId, ActorRef<WorkerProtocol.Command> worker, String paramsChannel,
                              int paramsStream, String host, long pid, String blas) implements Command, WireMessage {}

    /** Worker → coordinator: cannot take part (wrong data, another BLAS …); {@code reason} says why. */
    public record WorkerRefused(long jobId, int workerId, ActorRef<WorkerProtocol.Command> worker, String reason)
            implements Command, WireMessage {}

    /** Worker → coordinator: computing a shard failed; the coordinator gives the shards to another worker. */
    public record WorkerFailed(long jobId, int workerId, long step, String reason) implements Command, WireMessage {}
}

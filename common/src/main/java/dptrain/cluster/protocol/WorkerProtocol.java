package dptrain.cluster.protocol;

import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.ServiceKey;

/**
 * What a worker actor understands: job offers and the end of a job. A step's shard assignments do not go through
 * Akka: they travel on the data plane ahead of the parameters ({@code Frame.ASSIGN}).
 */
public final class WorkerProtocol {
    private WorkerProtocol() {}

    /** Workers register under this key with the Receptionist; the coordinator subscribes to it. */
    public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "dptrain-worker");

    /** A worker's messages. */
    public interface Command {}

    /**
     * Coordinator → worker: take part in a job. The worker rebuilds the training set from (trainSamples,
     * validationFraction, seed), checks its fingerprint and BLAS against the coordinator's, builds the network
     * from its text form, opens its data plane and answers {@link CoordinatorProtocol.WorkerReady} or
     * {@link CoordinatorProtocol.WorkerRefused}.
     *
     * @param workerId     the id the worker puts on its data-plane messages
     * @param wirePrecision how parameters and gradient sums travel on the data plane: fp32, bf16 or fp16
     * @param secret       the per-job key of the data-plane MAC
     * @param gradChannel  the Aeron channel gradients go to; {@code gradStream} its stream id
     * @param driverId     the coordinator's media driver ({@code DataPlane.driverId()}): a worker that is a client of
     *                     the same driver (same host) exchanges everything over IPC instead
     */
    public record JobOffer(long jobId, int workerId, String netSpec, int batchSize, int shards, long seed,
                           int trainSamples, double validationFraction, String datasetFingerprint, String blas,
                           String wirePrecision, byte[] secret, String gradChannel, int gradStream, String driverId,
                           ActorRef<CoordinatorProtocol.Command> coordinator) implements Command, WireMessage {}

    /**
     * Coordinator → worker: the job is over (status "completed", "failed" …); the worker releases it. With status
     * {@link #TRIAL_DONE} the job was one unit of a search's trial, and the node stays for the search's next work.
     */
    public record JobDone(long jobId, String status) implements Command, WireMessage {}

    /** The {@link JobDone} status of a search's data-parallel trial unit: the node does not leave after it. */
    public static final String TRIAL_DONE = "trial-unit-done";
}

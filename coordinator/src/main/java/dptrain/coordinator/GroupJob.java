package dptrain.coordinator;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import dptrain.cluster.protocol.CoordinatorProtocol;
import dptrain.cluster.protocol.WorkerProtocol;
import dptrain.cluster.transport.DataPlane;
import dptrain.data.Dataset;
import dptrain.nn.Model;
import dptrain.tensor.Blas;
import dptrain.train.ComputePool;
import dptrain.train.ShardExecutor;
import dptrain.train.ShardResult;
import dptrain.train.TrainConfig;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * One unit of a search's trial trained data-parallel over a group of worker nodes ({@code search
 * --workers-per-trial G}): the cluster job of {@code train}, inside the search's coordinator node. A
 * {@link Coordinator} actor offers the job only to the group's nodes and a {@link RemoteShardExecutor} runs the steps
 * on the unit's thread; several groups train at once over this node's one data plane, each on a gradient stream and
 * worker numbers of its own. The bits are those of {@code train} with the same flags, whatever the group's size, and
 * a worker lost mid-unit has its shards taken over by the rest of its group.
 */
public final class GroupJob implements ShardExecutor {
    /** Jobs started in this JVM: keeps their streams apart (slots 1 … 99 999; a training job's are above). */
    private static final AtomicInteger JOBS = new AtomicInteger();

    private final ActorSystem<?> system;
    private final ActorRef<CoordinatorProtocol.Command> coordinator;
    private final RemoteShardExecutor executor;
    private final GradInbox gradsIn;

    private GroupJob(ActorSystem<?> system, ActorRef<CoordinatorProtocol.Command> coordinator,
                     RemoteShardExecutor executor, GradInbox gradsIn) {
        this.system = system;
        this.coordinator = coordinator;
        this.executor = executor;
        this.gradsIn = gradsIn;
    }

    /**
     * Starts the job for cfg on train (the trial's training split) over the worker nodes at group, and waits until
     * all of them are ready. ipc: the workers share this JVM's media driver (embedded workers, or worker JVMs on
     * this host's driver); otherwise UDP.
     * Fails with the reason if they are not ready within noWorkerTimeoutMillis or all refuse; once cancelled says
     * so, waits for workers end with a CancellationException.
     */
    public static GroupJob start(ActorSystem<?> system, DataPlane dp, boolean ipc, TrainConfig cfg, Dataset train,
                                 Set<Address> group, long noWorkerTimeoutMillis, BooleanSupplier cancelled) {
        int j = JOBS.incrementAndGet() % 99_999 + 1;
        // Each job its own gradient stream: over UDP they may share the node's one data port
        // (dptrain.data-plane.port, as train's coordinator uses it; 0: a free port per job).
        int gradStream = DataPlane.GRAD_STREAM + DataPlane.SPAN * j;
        GradInbox gradsIn = GradInbox.open(dp, gradStream, !ipc);
        String gradChannel = gradsIn.offeredChannel;
        ActorRef<CoordinatorProtocol.Command> coordinator = null;
        RemoteShardExecutor ex = null;
        try {
            long jobId = new SecureRandom().nextLong() & Long.MAX_VALUE;
            JobBoard board = new JobBoard(new JobBoard.Job(jobId, cfg.net().describe(), cfg.batchSize(),
                    cfg.virtualShards(), cfg.seed(), cfg.trainSamples(), cfg.validationFraction(), train.fingerprint(),
                    Blas.identity(), cfg.wirePrecision(), dp.jobSecret(ipc)));
            coordinator = system.systemActorOf(Coordinator.create(board, gradChannel, dp.driverId(), gradStream,
                    Set.copyOf(group), 1), "group-job-" + Long.toHexString(jobId), Props.empty());
            ex = new RemoteShardExecutor(board, coordinator, dp, gradsIn, new Model(cfg.net()),
                    noWorkerTimeoutMillis * 1_000_000L, cfg.threads());
            ex.cancelWhen(cancelled);
            // The job's progress lines (waiting, the distribution check) would break the search's live view.
            ex.awaitWorkers(group.size(), noWorkerTimeoutMillis, new PrintStream(PrintStream.nullOutputStream()), true);
            return new GroupJob(system, coordinator, ex, gradsIn);
        } catch (RuntimeException e) {
            new GroupJob(system, coordinator, ex, gradsIn).close();
            throw e;
        }
    }

    @Override
    public void computeShards(Dataset data, int[] batch, int batchSize, long seed, long step, float[] params,
                              float[] state, ShardResult[] results) {
        executor.computeShards(data, batch, batchSize, seed, step, params, state, results);
    }

    @Override
    public double step(dptrain.train.ParameterServer ps, Dataset data, int[] batch, int batchSize, long seed, long step,
                       float lr, ShardResult[] results) {
        return executor.step(ps, data, batch, batchSize, seed, step, lr, results);
    }

    @Override
    public ComputePool pool() {
        return executor.pool();
    }

    @Override
    public void describeStep(Map<String, Object> record) {
        executor.describeStep(record);
    }

    @Override
    public void describeRun(Map<String, Object> summary) {
        executor.describeRun(summary);
    }

    /** Releases the group's workers (they stay in the search) and this job's streams. */
    @Override
    public void close() {
        if (executor != null) {
            executor.close();
        }
        if (coordinator != null) {
            ActorRef<CoordinatorProtocol.Command> c = coordinator;
            try {
                AskPattern.<CoordinatorProtocol.Command, Coordinator.Done>ask(c,
                        r -> new Coordinator.Finish(WorkerProtocol.TRIAL_DONE, r), Duration.ofSeconds(5),
                        system.scheduler()).toCompletableFuture().get();
            } catch (Exception e) {
                // the workers notice the job is gone when the next one is offered
            }
        }
        gradsIn.close();
    }
}

package dptrain.coordinator;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import com.typesafe.config.Config;
import dptrain.cluster.protocol.CoordinatorProtocol;
import dptrain.cluster.protocol.WorkerProtocol;
import dptrain.cluster.transport.DataPlane;
import dptrain.data.Dataset;
import dptrain.nn.Model;
import dptrain.tensor.Blas;
import dptrain.train.TrainConfig;
import dptrain.worker.Worker;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One training job on a cluster, seen from the coordinator's JVM: the coordinator node and its actor, this JVM's
 * data plane, the step executor and, for {@code train --workers N}, N worker nodes inside this JVM (separate
 * actor systems joined over Artery on loopback, parameters and gradients over Aeron IPC).
 */
public final class ClusterJob implements AutoCloseable {
    private final ActorSystem<CoordinatorProtocol.Command> coordinatorSystem;
    private final List<ActorSystem<WorkerProtocol.Command>> localWorkers;
    private final DataPlane dataPlane;
    private final RemoteShardExecutor executor;
    private final GradInbox gradsIn;

    private ClusterJob(ActorSystem<CoordinatorProtocol.Command> coordinatorSystem,
                       List<ActorSystem<WorkerProtocol.Command>> localWorkers, DataPlane dataPlane,
                       RemoteShardExecutor executor, GradInbox gradsIn) {
        this.coordinatorSystem = coordinatorSystem;
        this.localWorkers = localWorkers;
        this.dataPlane = dataPlane;
        this.executor = executor;
        this.gradsIn = gradsIn;
    }

    /**
     * Starts the coordinator on host:akkaPort (0: any free port) for the job, with inProcessWorkers workers in this JVM.
     * ipcOnly: every worker is a client of this JVM's media driver (in this JVM, or the host's shared driver of a local
     * cluster), so gradients come over IPC only and, unless ipc-mac, without AES-GCM ({@link DataPlane#jobSecret});
     * otherwise workers may join from other hosts and send over UDP too.
     */
    public static ClusterJob start(Config base, String host, int akkaPort, TrainConfig cfg, Dataset train,
                                   int inProcessWorkers, boolean ipcOnly, Path dataDir, long noWorkerTimeoutMillis) {
        Model model = new Model(cfg.net());
        DataPlane dp = DataPlane.start(DataPlane.Settings.from(base, host));
        try {
            // Workers in this JVM, or in other JVMs on this host's shared driver, send over IPC; others over UDP.
            long jobId = new SecureRandom().nextLong() & Long.MAX_VALUE;
            int gradStream = DataPlane.jobGradStream(jobId); // streams of its own on a driver other jobs may share
            GradInbox gradsIn = GradInbox.open(dp, gradStream, !ipcOnly);
            String gradChannel = gradsIn.offeredChannel;
            JobBoard board = new JobBoard(new JobBoard.Job(jobId, cfg.net().describe(), cfg.batchSize(),
                    cfg.virtualShards(), cfg.seed(), cfg.trainSamples(), cfg.validationFraction(), train.fingerprint(),
                    Blas.identity(), cfg.wirePrecision(), dp.jobSecret(ipcOnly)));
            ActorSystem<CoordinatorProtocol.Command> sys = ClusterNodes.startFirst(Coordinator.create(board, gradChannel, dp.driverId(),
                    gradStream, null, 1),
                    ClusterNodes.node(base, host, akkaPort, "coordinator"));
            RemoteShardExecutor ex = new RemoteShardExecutor(board, sys, dp, gradsIn, model,
                    noWorkerTimeoutMillis * 1_000_000L, cfg.threads());
            List<ActorSystem<WorkerProtocol.Command>> workers = new ArrayList<>();
            String seed = ClusterNodes.hostPort(sys);
            for (int i = 0; i < inProcessWorkers; i++) {
                workers.add(ClusterNodes.startWorker(ClusterNodes.node(base, host, 0, "worker"), seed,
                        new Worker.Env(dataDir, () -> dp, host, 0, () -> { })));
            }
            return new ClusterJob(sys, workers, dp, ex, gradsIn);
        } catch (RuntimeException e) {
            dp.close();
            throw e;
        }
    }

    /** The step executor to hand to the trainer. */
    public RemoteShardExecutor executor() {
        return executor;
    }

    /** "host:port" workers join. */
    public String seed() {
        return ClusterNodes.hostPort(coordinatorSystem);
    }

    /** Waits until n workers are ready; with fixed (no other workers will come), n refusals end the wait. */
    public void awaitWorkers(int n, long timeoutMillis, PrintStream log, boolean fixed) {
        executor.awaitWorkers(n, timeoutMillis, log, fixed);
    }

    /** Tells every worker the job ended with the status. */
    public void finish(String status) {
        try {
            AskPattern.<CoordinatorProtocol.Command, Coordinator.Done>ask(coordinatorSystem,
                    r -> new Coordinator.Finish(status, r), Duration.ofSeconds(5), coordinatorSystem.scheduler())
                    .toCompletableFuture().get();
        } catch (Exception e) {
            // workers notice the coordinator leaving anyway
        }
    }

    @Override
    public void close() {
        executor.close();
        for (ActorSystem<?> w : localWorkers) {
            w.terminate();
        }
        for (ActorSystem<?> w : localWorkers) {
            await(w);
        }
        coordinatorSystem.terminate();
        await(coordinatorSystem);
        gradsIn.close();
        dataPlane.close();
    }

    private static void await(ActorSystem<?> s) {
        try {
            s.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            // shutting down anyway
        }
    }
}

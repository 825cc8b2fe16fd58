package dptrain.cli;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import dptrain.cluster.protocol.WorkerProtocol;
import dptrain.cluster.transport.DataPlane;
import dptrain.cluster.transport.LazyDataPlane;
import dptrain.coordinator.ClusterNodes;
import dptrain.train.TrainingSet;
import dptrain.worker.Worker;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A worker node: joins a coordinator and computes the shards it is given. */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs a worker node that joins the coordinator at --join HOST:PORT, loads MNIST locally and "
                + "computes the shards it is assigned (training jobs) or the trials it is given (searches). If the coordinator goes away, it keeps trying to rejoin (a "
                + "restarted coordinator resumes), unless --exit-after-job.")
final class WorkerCommand implements Callable<Integer> {
    @Option(names = "--join", required = true, paramLabel = "HOST:PORT", description = "The coordinator's Akka address.")
    String join;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Address this worker binds to and advertises (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "0", paramLabel = "PORT",
            description = "Akka port of this worker (0: any free port; default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data-port", defaultValue = "0", paramLabel = "PORT",
            description = "UDP port of this worker's Aeron subscription (0: any free port; default: ${DEFAULT-VALUE}).")
    int dataPort;

    @Option(names = "--mtu", paramLabel = "BYTES", description = "Aeron MTU (default: dptrain.data-plane.mtu).")
    Integer mtu;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "MNIST directory (default: $DPTRAIN_DATA_DIR, else ~/.dptrain/mnist); fetched on first use.")
    String dataDir;

    @Option(names = "--aeron-dir", paramLabel = "DIR",
            description = "Use the Aeron media driver running in DIR (the host's: a coordinator on it is then reached "
                    + "over IPC), or start one there if none runs (default: one embedded in this JVM).")
    Path aeronDir;

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON file over dptrain-cluster.conf.")
    Path configFile;

    @Option(names = "--exit-after-job", description = "Exit when the job ends or the coordinator goes away.")
    boolean exitAfterJob;

    @Override
    public Integer call() throws Exception {
        ClusterNodes.address(join); // validates the flag before anything starts
        TrainJob.requirePort("--port", port);
        TrainJob.requirePort("--data-port", dataPort);
        Path data = FetchMnistCommand.ensureMnist(dataDir);
        TrainingSet.mnist(data); // load once, before joining
        Config base = ClusterNodes.base(configFile);
        if (mtu != null) {
            base = base.withValue("dptrain.data-plane.mtu", ConfigValueFactory.fromAnyRef(mtu));
        }
        if (aeronDir != null) {
            base = base.withValue("dptrain.data-plane.aeron-dir", ConfigValueFactory.fromAnyRef(aeronDir.toString()));
            System.err.println("dptrain worker: data plane: " + (DataPlane.driverRunning(aeronDir)
                    ? "the media driver running in " + aeronDir : "no media driver runs in " + aeronDir
                    + "; this worker starts one there at its first job"));
        }
        TrialRun trials = new TrialRun(data);
        try (LazyDataPlane dp = new LazyDataPlane(DataPlane.Settings.from(base, host))) {
            while (true) {
                boolean[] jobEnded = {false};
                ActorSystem<WorkerProtocol.Command>[] holder = new ActorSystem[1];
                Worker.Env env = new Worker.Env(data, dp, host, dataPort, () -> {
                    jobEnded[0] = true;
                    if (exitAfterJob) {
                        holder[0].terminate();
                    }
                }, trials);
                holder[0] = ClusterNodes.startWorker(ClusterNodes.node(base, host, port, "worker"), join, env);
                System.err.println("dptrain worker: node " + ClusterNodes.hostPort(holder[0]) + " joining " + join
                        + " (pid " + ProcessHandle.current().pid() + ")");
                holder[0].getWhenTerminated().toCompletableFuture().get();
                if (exitAfterJob) {
                    System.err.println("dptrain worker: " + (jobEnded[0] ? "job ended" : "left the cluster") + "; exiting");
                    return 0;
                }
                // A fresh node: the old one was downed (its split-brain resolver downs the side without the
                // coordinator about 10 s after the coordinator goes silent). The new node keeps asking the seed by
                // itself, every second, until a coordinator answers, so this pause only stops a node that ends at
                // once from spinning; a longer one would only delay getting back to a restarted coordinator.
                System.err.println("dptrain worker: left the cluster; rejoining " + join + " in 1 s");
                TimeUnit.SECONDS.sleep(1);
            }
        }
    }
}

package dptrain.cli;

import dptrain.cluster.transport.DataPlane;
import dptrain.coordinator.ClusterJob;
import dptrain.coordinator.ClusterNodes;
import dptrain.data.Mnist;
import dptrain.data.Split;
import dptrain.nn.Model;
import dptrain.tensor.Blas;
import dptrain.train.Checkpoint;
import dptrain.train.LocalShardExecutor;
import dptrain.train.RunDirectory;
import dptrain.train.ShardExecutor;
import dptrain.train.ShardPlan;
import dptrain.train.TrainConfig;
import dptrain.train.TrainListener;
import dptrain.train.Trainer;
import dptrain.train.TrainingSet;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One training job, as train, local-cluster and coordinator run it: the run directory (fresh, or resumed from its
 * last checkpoint), MNIST (fetched on first use), the split, then the steps on this JVM's threads or on a cluster
 * (worker actors in this JVM, worker JVMs it spawns, or workers that join), and the summary. The commands only turn
 * flags into a {@link TrainConfig} and these settings.
 */
final class TrainJob {
    /** Where the job's workers are. */
    enum Mode {
        /** In this JVM: on its threads (no workers) or on worker actors in it. */
        TRAIN,
        /** In worker JVMs the job spawns on this host. */
        LOCAL_CLUSTER,
        /** On workers that join from other hosts. */
        COORDINATOR;

        /** As summary.json says it: train, local-cluster, coordinator. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** The cluster: how many workers, this node's addresses and the data plane's settings. */
    record Cluster(int workers, String host, Integer port, Integer dataPort, Integer mtu, Path configFile,
                   int workerTimeoutSeconds, Path aeronDir) {
        /** Whether the steps run on this JVM's threads, without a cluster (train --workers 0). */
        boolean inProcess(Mode mode) {
            return mode == Mode.TRAIN && workers == 0;
        }

        /** Refuses bad cluster flags, before anything (a run directory among them) is made. */
        void check(Mode mode) {
            if (inProcess(mode)) {
                return;
            }
            if (workers < 1 || workers > 1024) {
                throw new IllegalArgumentException("invalid value for --workers: " + workers + " (expected 1..1024"
                        + (mode == Mode.TRAIN ? ", or 0 for the in-process trainer)" : ")"));
            }
            if (workerTimeoutSeconds < 1) {
                throw new IllegalArgumentException("invalid value for --worker-timeout: " + workerTimeoutSeconds
                        + " (expected seconds >= 1)");
            }
            if (dataPort != null) {
                requirePort("--data-port", dataPort);
            }
            if (port != null) {
                requirePort("--port", port);
            }
        }
    }

    /** What the job writes and shows. */
    record Output(Path runDir, boolean resume, boolean plots, boolean quiet, boolean verbose) {}

    private final Mode mode;
    private final TrainConfig cfg;
    private final String dataDir;
    private final Cluster cluster;
    private final Output output;
    private final PrintStream err = System.err;

    TrainJob(Mode mode, TrainConfig cfg, String dataDir, Cluster cluster, Output output) {
        this.mode = mode;
        this.cfg = cfg;
        this.dataDir = dataDir;
        this.cluster = cluster;
        this.output = output;
    }

    /** Runs the job to its end and returns its summary. */
    Map<String, Object> run() throws IOException {
        cluster.check(mode);
        Path runDir = output.runDir();
        if (runDir == null) {
            if (output.resume()) {
                throw new IllegalArgumentException("--resume needs --run-dir: the directory of the run to continue");
            }
            runDir = freshRunDir(Path.of("runs"), cfg.model() + "-" + LocalDateTime.now().format(
                    DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        try (RunDirectory run = new RunDirectory(runDir)) {
            Logs.toRunDir(run.path(), output.verbose());
            Checkpoint from = null;
            if (output.resume()) {
                if (!Files.exists(run.latestCheckpoint())) {
                    throw new IllegalArgumentException("--resume: no checkpoint at " + run.latestCheckpoint());
                }
                from = Checkpoint.read(run.latestCheckpoint());
            } else if (Files.exists(run.summaryFile()) || Files.exists(run.latestCheckpoint())) {
                throw new IllegalArgumentException("--run-dir " + run.path() + " already holds a run; pass --resume to "
                        + "continue it or choose another directory");
            }
            Path data = FetchMnistCommand.ensureMnist(dataDir);
            Mnist mnist = TrainingSet.mnist(data);
            Split split = TrainingSet.split(mnist, cfg.trainSamples(), cfg.validationFraction(), cfg.seed());
            Model m = new Model(cfg.net());
            err.printf(Locale.ROOT, "dptrain: %s (%,d parameters), %s lr %s, batch %d in %d virtual shards, "
                            + "%d threads, %,d training / %,d validation / %,d test images%n  BLAS: %s%n  run directory: %s%n",
                    cfg.model(), m.paramCount(), cfg.optimizer(), cfg.lr(), cfg.batchSize(), cfg.virtualShards(),
                    cfg.threads(), split.train().size(), split.validation().size(), mnist.test().size(),
                    Blas.description(), run.path());
            ConsoleProgress progress = new ConsoleProgress(output.quiet(), err);
            List<TrainListener> listeners = new ArrayList<>();
            listeners.add(progress);
            if (output.plots()) {
                listeners.add(new LearningCurves(run));
            }
            Map<String, Object> s;
            if (cluster.inProcess(mode)) {
                try (LocalShardExecutor ex = new LocalShardExecutor(m, cfg.threads(),
                        ShardPlan.maxShard(cfg.batchSize(), cfg.virtualShards()))) {
                    s = train(split, mnist, ex, run, listeners, from);
                }
            } else {
                s = trainOnCluster(split, mnist, data, run, listeners, progress, from);
            }
            err.printf(Locale.ROOT, "done: test accuracy %s, %s samples/s, params_sha256 %s%n  %s%n",
                    s.get("test_accuracy") instanceof Double a ? String.format(Locale.ROOT, "%.2f%%", 100 * a) : "-",
                    s.get("samples_per_second") instanceof Double v ? String.format(Locale.ROOT, "%.0f", v) : "-",
                    s.get("params_sha256"), run.summaryFile());
            return s;
        }
    }

    private Map<String, Object> train(Split split, Mnist mnist, ShardExecutor ex, RunDirectory run,
                                      List<TrainListener> listeners, Checkpoint from) throws IOException {
        Trainer trainer = new Trainer(cfg, split.train(), split.validation(), mnist.test(), ex, run, listeners);
        trainer.addSummaryField("blas", Blas.description());
        trainer.addSummaryField("workers", cluster.inProcess(mode) ? 0 : cluster.workers());
        trainer.addSummaryField("mode", mode.toString());
        trainer.addSummaryField("run_dir", run.path().toString());
        return trainer.run(from);
    }

    /** The steps on a cluster: workers in this JVM (train), in child JVMs (local-cluster) or joining (coordinator). */
    private Map<String, Object> trainOnCluster(Split split, Mnist mnist, Path data, RunDirectory run,
                                               List<TrainListener> listeners, ConsoleProgress progress, Checkpoint from)
            throws IOException {
        Config base = ClusterNodes.base(cluster.configFile());
        if (cluster.dataPort() != null) { // the flag over the --config file's dptrain.data-plane.port
            base = base.withValue("dptrain.data-plane.port", ConfigValueFactory.fromAnyRef(cluster.dataPort()));
        }
        // Loopback takes 64 KB datagrams; an Aeron message (so the MTU) must also fit in an eighth of a term.
        Integer mtu = cluster.mtu() != null ? cluster.mtu() : mode == Mode.LOCAL_CLUSTER
                ? Integer.valueOf((int) Math.min(65504, base.getBytes("dptrain.data-plane.term-length") / 8)) : null;
        if (mtu != null) {
            base = base.withValue("dptrain.data-plane.mtu", ConfigValueFactory.fromAnyRef(mtu));
        }
        LocalCluster.HostDriverProcess hostDriver = null;
        Path aeronDir = cluster.aeronDir();
        if (aeronDir == null && mode == Mode.LOCAL_CLUSTER) {
            // One media driver for the host's JVMs, which then exchange parameters and gradients over IPC.
            DataPlane.Settings s = DataPlane.Settings.from(base, cluster.host());
            hostDriver = LocalCluster.startDriver(run.path(), s.mtu(), s.termLength());
            aeronDir = hostDriver.dir();
            err.printf(Locale.ROOT, "  data plane: the host's media driver, pid %d, in %s; IPC between this host's "
                    + "JVMs%n", hostDriver.process().pid(), aeronDir);
        } else if (aeronDir != null) {
            err.printf(Locale.ROOT, "  data plane: %s%n", DataPlane.driverRunning(aeronDir)
                    ? "the media driver running in " + aeronDir + " (IPC with this host's other JVMs on it)"
                    : "no media driver runs in " + aeronDir + ": this JVM starts one there");
        }
        if (aeronDir != null) {
            base = base.withValue("dptrain.data-plane.aeron-dir", ConfigValueFactory.fromAnyRef(aeronDir.toString()));
        }
        try {
            return trainOnCluster(split, mnist, data, run, listeners, progress, from, base, mtu, aeronDir);
        } finally {
            if (hostDriver != null) {
                hostDriver.close();
            }
        }
    }

    private Map<String, Object> trainOnCluster(Split split, Mnist mnist, Path data, RunDirectory run,
                                               List<TrainListener> listeners, ConsoleProgress progress, Checkpoint from,
                                               Config base, Integer mtu, Path aeronDir) throws IOException {
        int akkaPort = cluster.port() != null ? cluster.port() : mode == Mode.COORDINATOR ? 25520 : 0;
        int inProcessWorkers = mode == Mode.TRAIN ? cluster.workers() : 0;
        long timeoutMillis = cluster.workerTimeoutSeconds() * 1000L;
        // Every worker in this JVM (train) or on this host's driver (local-cluster): IPC only, no UDP subscription.
        boolean ipcOnly = mode != Mode.COORDINATOR;
        try (ClusterJob job = ClusterJob.start(base, cluster.host(), akkaPort, cfg, split.train(), inProcessWorkers,
                ipcOnly, data, timeoutMillis)) {
            List<Process> children = List.of();
            try {
                if (mode == Mode.LOCAL_CLUSTER) {
                    children = LocalCluster.spawn(cluster.workers(), job.seed(), cluster.host(), run.path(), data,
                            cluster.configFile(), mtu, aeronDir);
                    err.printf(Locale.ROOT, "  local cluster: coordinator %s (pid %d), %d worker JVMs; logs and "
                                    + "pid files in %s%n", job.seed(), ProcessHandle.current().pid(), cluster.workers(),
                            run.path());
                } else if (mode == Mode.COORDINATOR) {
                    err.printf(Locale.ROOT, "  coordinator at %s; start workers with: scripts/dptrain worker "
                            + "--join %s --host <their address>%n", job.seed(), job.seed());
                }
                job.awaitWorkers(cluster.workers(), timeoutMillis, err, mode != Mode.COORDINATOR);
                progress.withStatus(job.executor()::statusLine);
                Map<String, Object> s = train(split, mnist, job.executor(), run, listeners, from);
                job.finish("completed");
                return s;
            } catch (RuntimeException | IOException e) {
                job.finish("failed");
                throw e;
            } finally {
                LocalCluster.stop(children);
            }
        }
    }

    /** Refuses a port flag outside 0..65535 (0: any free port), naming the flag. */
    static void requirePort(String flag, int value) {
        if (value < 0 || value > 65535) {
            throw new IllegalArgumentException("invalid value for " + flag + ": " + value + " (expected 0..65535)");
        }
    }

    /** A new directory under parent named base, or base-2, base-3 ... when runs start in the same second. */
    private static Path freshRunDir(Path parent, String base) throws IOException {
        Files.createDirectories(parent);
        for (int i = 1; ; i++) {
            Path p = parent.resolve(i == 1 ? base : base + "-" + i);
            try {
                return Files.createDirectory(p);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // taken by another run started in the same second
            }
        }
    }
}

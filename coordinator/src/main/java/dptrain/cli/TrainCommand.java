package dptrain.cli;

import dptrain.data.Mnist;
import dptrain.data.Split;
import dptrain.nn.Init;
import dptrain.nn.Model;
import dptrain.nn.NetSpec;
import dptrain.nn.Nets;
import dptrain.nn.optim.LrSchedule;
import dptrain.nn.optim.Optimizers;
import dptrain.tensor.Blas;
import dptrain.train.Checkpoint;
import dptrain.train.LocalShardExecutor;
import dptrain.train.RunDirectory;
import dptrain.train.ShardPlan;
import dptrain.train.TrainConfig;
import dptrain.train.TrainListener;
import dptrain.train.TrainingSet;
import dptrain.coordinator.ClusterJob;
import dptrain.coordinator.ClusterNodes;
import dptrain.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Trains one of the book's networks on MNIST in this JVM. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains a network on MNIST. Each mini-batch is cut into --virtual-shards shards, computed by "
                + "--workers worker actors in this JVM (Akka cluster + Aeron, as on real hosts) or, with --workers 0, "
                + "on --threads threads; the result depends on the seed and the shard count only.")
class TrainCommand implements Callable<Integer> {
    /** How the command runs the job. */
    enum Mode { TRAIN, LOCAL_CLUSTER, COORDINATOR }

    static final List<String> MODELS = List.of("two-layer", "multi-layer", "simple-cnn", "deep-cnn");

    @Option(names = "--model", defaultValue = "simple-cnn", paramLabel = "NAME",
            description = "two-layer | multi-layer | simple-cnn | deep-cnn (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--hidden", paramLabel = "N[,N...]",
            description = "Hidden layer sizes: two-layer takes one (default 50), multi-layer any (default 100,100,100,100).")
    String hidden;

    @Option(names = "--activation", defaultValue = "relu", paramLabel = "NAME",
            description = "multi-layer activation: relu | sigmoid | tanh (default: ${DEFAULT-VALUE}).")
    String activation;

    @Option(names = "--init", defaultValue = "auto", paramLabel = "INIT",
            description = "Weight init: he | xavier | std:<sigma> | auto, the book's choice per model: std:0.01 for "
                    + "two-layer and simple-cnn, he for deep-cnn and relu nets, xavier for sigmoid/tanh (default: ${DEFAULT-VALUE}).")
    String init;

    @Option(names = "--batch-norm", description = "multi-layer: batch normalization after each hidden affine layer.")
    boolean batchNorm;

    @Option(names = "--dropout", defaultValue = "0", paramLabel = "RATIO",
            description = "multi-layer: dropout ratio after each hidden activation, in [0, 1) (default: ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--optimizer", paramLabel = "NAME",
            description = "sgd | momentum | nesterov | adagrad | rmsprop | adam (default: sgd for two-layer, adam otherwise).")
    String optimizer;

    @Option(names = "--lr", paramLabel = "RATE",
            description = "Learning rate (default: 0.1 for sgd, 0.01 for momentum/nesterov/adagrad/rmsprop, 0.001 for adam).")
    Float lr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "momentum/nesterov coefficient (default: ${DEFAULT-VALUE}).")
    float momentum;

    @Option(names = "--rms-decay", defaultValue = "0.99", description = "rmsprop decay rate (default: ${DEFAULT-VALUE}).")
    float rmsDecay;

    @Option(names = "--beta1", defaultValue = "0.9", description = "adam beta1 (default: ${DEFAULT-VALUE}).")
    float beta1;

    @Option(names = "--beta2", defaultValue = "0.999", description = "adam beta2 (default: ${DEFAULT-VALUE}).")
    float beta2;

    @Option(names = "--lr-schedule", defaultValue = "constant", paramLabel = "NAME",
            description = "constant | step | exponential | cosine (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--lr-gamma", defaultValue = "0.5", description = "step/exponential decay factor (default: ${DEFAULT-VALUE}).")
    double lrGamma;

    @Option(names = "--lr-step-epochs", defaultValue = "5", description = "step schedule: epochs between decays (default: ${DEFAULT-VALUE}).")
    int lrStepEpochs;

    @Option(names = "--weight-decay", defaultValue = "0", paramLabel = "LAMBDA",
            description = "L2 weight decay λ: λ/2·ΣW² in the loss, λ·W in the gradient (default: ${DEFAULT-VALUE}).")
    float weightDecay;

    @Option(names = "--batch-size", defaultValue = "100", description = "Global mini-batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--steps", defaultValue = "0",
            description = "Train exactly this many steps instead of --epochs (0: use --epochs).")
    long steps;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of initialization, shuffling and dropout (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", defaultValue = "2",
            description = "Compute threads; more threads than --virtual-shards add nothing to the shard work "
                    + "(default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--virtual-shards", defaultValue = "2", paramLabel = "K",
            description = "Shards per mini-batch; fixes the arithmetic, so results repeat for any thread or worker count "
                    + "(default: ${DEFAULT-VALUE}).")
    int virtualShards;

    @Option(names = "--workers", defaultValue = "2", paramLabel = "N",
            description = "Worker actors: train runs them in this JVM, local-cluster in N worker JVMs, coordinator "
                    + "waits for N to join; 0 (train only) trains in-process without the cluster (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Address this node's Akka and Aeron endpoints bind to and advertise (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", paramLabel = "PORT",
            description = "Akka port of the coordinator node (default: 25520 for coordinator, any free port otherwise).")
    Integer port;

    @Option(names = "--data-port", paramLabel = "PORT",
            description = "UDP port of the coordinator's Aeron data plane (0: any free port; default: "
                    + "dptrain.data-plane.port, 0).")
    Integer dataPort;

    @Option(names = "--mtu", paramLabel = "BYTES",
            description = "Aeron MTU: 1408 for Ethernet, up to 65504 on loopback or jumbo frames (default: 65504 for "
                    + "local-cluster, else dptrain.data-plane.mtu = 1408).")
    Integer mtu;

    @Option(names = "--config", paramLabel = "FILE",
            description = "HOCON file over dptrain-cluster.conf (Akka, Aeron, TLS settings).")
    Path configFile;

    @Option(names = "--worker-timeout", defaultValue = "120", paramLabel = "SECONDS",
            description = "How long to wait for workers to join, or for any live worker during a run (default: ${DEFAULT-VALUE}).")
    int workerTimeout;

    @Option(names = "--train-samples", defaultValue = "0", paramLabel = "N",
            description = "Train on the first N training images only (0: all 60000).")
    int trainSamples;

    @Option(names = "--validation-fraction", defaultValue = "0", paramLabel = "F",
            description = "Hold out this seeded fraction of the training images for validation (default: ${DEFAULT-VALUE}).")
    double validationFraction;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "MNIST directory (default: $DPTRAIN_DATA_DIR, else ~/.dptrain/mnist); fetched on first use.")
    String dataDir;

    @Option(names = "--run-dir", paramLabel = "DIR",
            description = "Where metrics, summary, checkpoints and plots go (default: runs/<model>-<time>).")
    Path runDir;

    @Option(names = "--resume", description = "Continue from the run directory's last checkpoint (same flags as the interrupted run).")
    boolean resume;

    @Option(names = "--checkpoint-every", defaultValue = "0", paramLabel = "STEPS",
            description = "Also checkpoint every this many steps (0: at epoch ends only).")
    int checkpointEvery;

    @Option(names = "--log-every", defaultValue = "10", paramLabel = "STEPS",
            description = "Write a step record to metrics.jsonl every this many steps (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--eval-train-samples", defaultValue = "10000", paramLabel = "N",
            description = "Training images scored for train accuracy each epoch (0: all; default: ${DEFAULT-VALUE}).")
    int evalTrainSamples;

    @Option(names = "--no-plots", description = "Do not write PNG learning curves.")
    boolean noPlots;

    @Option(names = "--quiet", description = "No progress output (epoch lines and errors only).")
    boolean quiet;

    @Option(names = "--verbose", description = "The nodes' INFO logs on the terminal too (they always go to "
            + "RUN_DIR/logs/dptrain.log; the terminal shows warnings and errors).")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        TrainConfig cfg = config();
        checkClusterFlags();
        if (runDir == null) {
            if (resume) {
                throw new IllegalArgumentException("--resume needs --run-dir: the directory of the run to continue");
            }
            runDir = freshRunDir(Path.of("runs"), model + "-" + LocalDateTime.now().format(
                    DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        Checkpoint from = null;
        try (RunDirectory run = new RunDirectory(runDir)) {
            Logs.toRunDir(run.path(), verbose);
            if (resume) {
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
            Split split = TrainingSet.split(mnist, trainSamples, validationFraction, seed);
            Model m = new Model(cfg.net());
            System.err.printf(Locale.ROOT, "dptrain: %s (%,d parameters), %s lr %s, batch %d in %d virtual shards, "
                            + "%d threads, %,d training / %,d validation / %,d test images%n  BLAS: %s%n  run directory: %s%n",
                    model, m.paramCount(), cfg.optimizer(), cfg.lr(), batchSize, virtualShards, threads,
                    split.train().size(), split.validation().size(), mnist.test().size(), Blas.description(), run.path());
            List<TrainListener> listeners = new ArrayList<>();
            if (!noPlots) {
                listeners.add(new LearningCurves(run));
            }
            ConsoleProgress progress = new ConsoleProgress(quiet, System.err);
            listeners.add(0, progress);
            Map<String, Object> s;
            if (mode() == Mode.TRAIN && workers == 0) {
                try (LocalShardExecutor ex = new LocalShardExecutor(m, threads, ShardPlan.maxShard(batchSize, virtualShards))) {
                    s = train(cfg, split, mnist, ex, run, listeners, from);
                }
            } else {
                s = trainOnCluster(cfg, split, mnist, data, run, listeners, progress, from);
            }
            System.err.printf(Locale.ROOT, "done: test accuracy %s, %s samples/s, params_sha256 %s%n  %s%n",
                    s.get("test_accuracy") instanceof Double a ? String.format(Locale.ROOT, "%.2f%%", 100 * a) : "-",
                    s.get("samples_per_second") instanceof Double v ? String.format(Locale.ROOT, "%.0f", v) : "-",
                    s.get("params_sha256"), run.summaryFile());
        }
        return 0;
    }

    /** How this command runs the job (subcommands override). */
    Mode mode() {
        return Mode.TRAIN;
    }

    private Map<String, Object> train(TrainConfig cfg, Split split, Mnist mnist, dptrain.train.ShardExecutor ex,
                                      RunDirectory run, List<TrainListener> listeners, Checkpoint from)
            throws java.io.IOException {
        Trainer trainer = new Trainer(cfg, split.train(), split.validation(), mnist.test(), ex, run, listeners);
        trainer.addSummaryField("blas", Blas.description());
        trainer.addSummaryField("workers", mode() == Mode.TRAIN && workers == 0 ? 0 : workers);
        trainer.addSummaryField("mode", mode().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        trainer.addSummaryField("run_dir", run.path().toString());
        return trainer.run(from);
    }

    /** The cluster's own flags, checked before anything (a run directory among them) is made. */
    private void checkClusterFlags() {
        if (mode() == Mode.TRAIN && workers == 0) {
            return; // the in-process trainer: no cluster
        }
        if (workers < 1 || workers > 1024) {
            throw new IllegalArgumentException("invalid value for --workers: " + workers + " (expected 1..1024"
                    + (mode() == Mode.TRAIN ? ", or 0 for the in-process trainer)" : ")"));
        }
        if (workerTimeout < 1) {
            throw new IllegalArgumentException("invalid value for --worker-timeout: " + workerTimeout + " (expected seconds >= 1)");
        }
        if (dataPort != null) {
            requirePort("--data-port", dataPort);
        }
        if (port != null) {
            requirePort("--port", port);
        }
    }

    /** Runs the job on a cluster: workers in this JVM (train), in child JVMs (local-cluster) or joining (coordinator). */
    private Map<String, Object> trainOnCluster(TrainConfig cfg, Split split, Mnist mnist, Path data, RunDirectory run,
                                               List<TrainListener> listeners, ConsoleProgress progress, Checkpoint from)
            throws java.io.IOException {
        com.typesafe.config.Config base = ClusterNodes.base(configFile);
        if (dataPort != null) { // the flag over the --config file's dptrain.data-plane.port
            base = base.withValue("dptrain.data-plane.port", com.typesafe.config.ConfigValueFactory.fromAnyRef(dataPort));
        }
        // Loopback takes 64 KB datagrams; an Aeron message (so the MTU) must also fit in an eighth of a term.
        Integer mtuValue = mtu != null ? mtu : mode() == Mode.LOCAL_CLUSTER
                ? Integer.valueOf((int) Math.min(65504, base.getBytes("dptrain.data-plane.term-length") / 8)) : null;
        if (mtuValue != null) {
            base = base.withValue("dptrain.data-plane.mtu", com.typesafe.config.ConfigValueFactory.fromAnyRef(mtuValue));
        }
        int akkaPort = port != null ? port : mode() == Mode.COORDINATOR ? 25520 : 0;
        int inProcess = mode() == Mode.TRAIN ? workers : 0;
        try (ClusterJob job = ClusterJob.start(base, host, akkaPort, cfg, split.train(), inProcess, data,
                workerTimeout * 1000L)) {
            List<Process> children = List.of();
            try {
                if (mode() == Mode.LOCAL_CLUSTER) {
                    children = LocalCluster.spawn(workers, job.seed(), host, run.path(), data, configFile, mtuValue);
                    System.err.printf(Locale.ROOT, "  local cluster: coordinator %s (pid %d), %d worker JVMs; logs and "
                            + "pid files in %s%n", job.seed(), ProcessHandle.current().pid(), workers, run.path());
                } else if (mode() == Mode.COORDINATOR) {
                    System.err.printf(Locale.ROOT, "  coordinator at %s; start workers with: scripts/dptrain worker "
                            + "--join %s --host <their address>%n", job.seed(), job.seed());
                }
                job.awaitWorkers(workers, workerTimeout * 1000L, System.err, mode() != Mode.COORDINATOR);
                progress.withStatus(job.executor()::statusLine);
                Map<String, Object> s = train(cfg, split, mnist, job.executor(), run, listeners, from);
                job.finish("completed");
                return s;
            } catch (RuntimeException | java.io.IOException e) {
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
    private static Path freshRunDir(Path parent, String base) throws java.io.IOException {
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

    /** Turns the flags into a validated config, naming any bad flag. */
    TrainConfig config() {
        if (!MODELS.contains(model)) {
            throw new IllegalArgumentException("invalid value for --model: '" + model + "' (expected one of "
                    + String.join(", ", MODELS) + ")");
        }
        if (!List.of("relu", "sigmoid", "tanh").contains(activation)) {
            throw new IllegalArgumentException("invalid value for --activation: '" + activation
                    + "' (expected relu, sigmoid or tanh)");
        }
        if (!model.equals("multi-layer")) {
            // Flags that shape the multi-layer net would be silently ignored by the others: refuse them.
            boolean twoLayer = model.equals("two-layer");
            String ignored = batchNorm ? "--batch-norm" : dropout != 0f ? "--dropout"
                    : !activation.equals("relu") ? "--activation" : hidden != null && !twoLayer ? "--hidden" : null;
            if (ignored != null) {
                throw new IllegalArgumentException(ignored + " does not apply to --model " + model
                        + " (it shapes --model multi-layer" + (ignored.equals("--hidden") ? " and two-layer" : "") + ")");
            }
        }
        String opt = optimizer != null ? optimizer.toLowerCase(Locale.ROOT) : model.equals("two-layer") ? "sgd" : "adam";
        if (!Arrays.asList(Optimizers.NAMES.split(", ")).contains(opt)) {
            throw new IllegalArgumentException("invalid value for --optimizer: '" + optimizer + "' (expected one of "
                    + Optimizers.NAMES + ")");
        }
        float rate = lr != null ? lr : switch (opt) {
            case "sgd" -> 0.1f;
            case "adam" -> 0.001f;
            default -> 0.01f;
        };
        LrSchedule.Kind kind;
        try {
            kind = LrSchedule.parseKind(schedule);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid value for --lr-schedule: '" + schedule
                    + "' (expected constant, step, exponential or cosine)");
        }
        int[] sizes = parseHidden();
        Init in;
        try {
            in = init.equals("auto") ? autoInit() : Init.parse(init);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid value for --init: '" + init + "' (expected auto, he, xavier or std:<sigma>)");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("invalid value for --dropout: " + dropout + " (expected a ratio in [0, 1))");
        }
        NetSpec net = switch (model) {
            case "two-layer" -> Nets.twoLayer(sizes.length == 0 ? 50 : sizes[0], in);
            case "multi-layer" -> Nets.multiLayer(sizes.length == 0 ? new int[] {100, 100, 100, 100} : sizes,
                    activation, in, batchNorm, dropout);
            case "simple-cnn" -> Nets.simpleConv(in);
            default -> Nets.deepConv(in);
        };
        return new TrainConfig(model, net, opt, rate, momentum, rmsDecay, beta1, beta2,
                new LrSchedule(kind, lrGamma, lrStepEpochs), weightDecay, batchSize, epochs, steps, seed,
                virtualShards, trainSamples, validationFraction, threads, logEvery, checkpointEvery, evalTrainSamples);
    }

    private Init autoInit() {
        return switch (model) {
            case "two-layer", "simple-cnn" -> Init.std(0.01);
            case "deep-cnn" -> Init.he();
            default -> activation.equals("relu") ? Init.he() : Init.xavier();
        };
    }

    private int[] parseHidden() {
        if (hidden == null || hidden.isBlank()) {
            return new int[0];
        }
        try {
            int[] sizes = Arrays.stream(hidden.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            for (int s : sizes) {
                if (s < 1) {
                    throw new NumberFormatException();
                }
            }
            if (model.equals("two-layer") && sizes.length != 1) {
                throw new IllegalArgumentException("invalid value for --hidden: '" + hidden
                        + "' (two-layer takes one hidden size)");
            }
            return sizes;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid value for --hidden: '" + hidden
                    + "' (expected positive integers separated by commas, e.g. 100,100)");
        }
    }
}

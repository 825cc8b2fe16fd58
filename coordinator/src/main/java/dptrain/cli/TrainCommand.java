package dptrain.cli;

import dptrain.nn.Init;
import dptrain.nn.NetSpec;
import dptrain.nn.Nets;
import dptrain.nn.optim.LrSchedule;
import dptrain.nn.optim.Optimizers;
import dptrain.tensor.WirePrecision;
import dptrain.train.TrainConfig;
import dptrain.util.InvalidSetting;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Trains one of the book's networks on MNIST in this JVM. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains a network on MNIST. Each mini-batch is cut into --virtual-shards shards, computed by "
                + "--workers worker actors in this JVM (Akka cluster + Aeron, as on real hosts) or, with --workers 0, "
                + "on --threads threads; the result depends on the seed and the shard count only.")
class TrainCommand implements Callable<Integer> {
    /** The book's networks. */
    enum ModelName {
        TWO_LAYER, MULTI_LAYER, SIMPLE_CNN, DEEP_CNN, LENET, ALEXNET_SMALL;

        /** The name a user writes, e.g. simple-cnn (picocli matches flags against it). */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** multi-layer's activations. */
    enum Activation {
        RELU, SIGMOID, TANH;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * picocli's converter for an enum whose constants users write by their {@code toString()} (simple-cnn, rmsprop),
     * in any case; a bad value is named with the list of good ones.
     */
    abstract static class NamedEnum<E extends Enum<E>> implements CommandLine.ITypeConverter<E> {
        private final Class<E> type;

        NamedEnum(Class<E> type) {
            this.type = type;
        }

        @Override
        public E convert(String value) {
            for (E e : type.getEnumConstants()) {
                if (e.toString().equalsIgnoreCase(value)) {
                    return e;
                }
            }
            throw new CommandLine.TypeConversionException("'" + value + "' (expected one of " + String.join(", ",
                    Arrays.stream(type.getEnumConstants()).map(E::toString).toList()) + ")");
        }

        static final class Models extends NamedEnum<ModelName> {
            Models() {
                super(ModelName.class);
            }
        }

        static final class Activations extends NamedEnum<Activation> {
            Activations() {
                super(Activation.class);
            }
        }

        static final class OptimizerKinds extends NamedEnum<Optimizers.Kind> {
            OptimizerKinds() {
                super(Optimizers.Kind.class);
            }
        }

        static final class Schedules extends NamedEnum<LrSchedule.Kind> {
            Schedules() {
                super(LrSchedule.Kind.class);
            }
        }

        static final class WirePrecisions extends NamedEnum<WirePrecision> {
            WirePrecisions() {
                super(WirePrecision.class);
            }
        }
    }

    /** --hidden's value: layer sizes, positive, comma-separated. */
    record HiddenSizes(int[] sizes) {
        /** picocli's converter: names the flag's format on a bad value. */
        static final class Converter implements CommandLine.ITypeConverter<HiddenSizes> {
            @Override
            public HiddenSizes convert(String value) {
                try {
                    int[] sizes = Arrays.stream(value.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
                    if (sizes.length > 0 && Arrays.stream(sizes).allMatch(n -> n >= 1)) {
                        return new HiddenSizes(sizes);
                    }
                } catch (NumberFormatException e) {
                    // named below
                }
                throw new CommandLine.TypeConversionException("'" + value
                        + "' (expected positive integers separated by commas, e.g. 100,100)");
            }
        }
    }

    /** --init's converter: auto (null: the book's choice per model), he, xavier or std:SIGMA. */
    static final class InitConverter implements CommandLine.ITypeConverter<Init> {
        @Override
        public Init convert(String value) {
            if (value.equals("auto")) {
                return null;
            }
            try {
                return Init.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' (expected auto, he, xavier or std:<sigma>)");
            }
        }
    }

    @Option(names = "--model", defaultValue = "simple-cnn", paramLabel = "NAME", converter = NamedEnum.Models.class,
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    ModelName model;

    @Option(names = "--hidden", paramLabel = "N[,N...]", converter = HiddenSizes.Converter.class,
            description = "Hidden layer sizes: two-layer takes one (default 50), multi-layer any (default 100,100,100,100).")
    HiddenSizes hidden;

    @Option(names = "--activation", defaultValue = "relu", paramLabel = "NAME", converter = NamedEnum.Activations.class,
            description = "multi-layer activation: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Activation activation;

    @Option(names = "--init", defaultValue = "auto", paramLabel = "INIT", converter = InitConverter.class,
            description = "Weight init: he | xavier | std:<sigma> | auto, the book's choice per model: std:0.01 for "
                    + "two-layer and simple-cnn, he for deep-cnn, alexnet-small and relu nets, xavier for lenet and sigmoid/tanh (default: ${DEFAULT-VALUE}).")
    Init init;

    @Option(names = "--batch-norm", description = "multi-layer: batch normalization after each hidden affine layer.")
    boolean batchNorm;

    @Option(names = "--dropout", defaultValue = "0", paramLabel = "RATIO",
            description = "multi-layer: dropout ratio after each hidden activation, in [0, 1) (default: ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--optimizer", paramLabel = "NAME", converter = NamedEnum.OptimizerKinds.class,
            description = "${COMPLETION-CANDIDATES} (default: sgd for two-layer, adam otherwise).")
    Optimizers.Kind optimizer;

    @Option(names = "--lr", paramLabel = "RATE",
            description = "Learning rate (default: 0.1 for sgd, 0.01 for momentum/nesterov/adagrad/rmsprop, 0.001 for "
                    + "adam, 1 for adadelta, whose steps scale themselves).")
    Float lr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "momentum/nesterov coefficient (default: ${DEFAULT-VALUE}).")
    float momentum;

    @Option(names = "--rms-decay", paramLabel = "RHO",
            description = "rmsprop decay rate, and adadelta's ρ (default: 0.99 for rmsprop, 0.95 for adadelta).")
    Float rmsDecay;

    @Option(names = "--beta1", defaultValue = "0.9", description = "adam beta1 (default: ${DEFAULT-VALUE}).")
    float beta1;

    @Option(names = "--beta2", defaultValue = "0.999", description = "adam beta2 (default: ${DEFAULT-VALUE}).")
    float beta2;

    @Option(names = "--lr-schedule", defaultValue = "constant", paramLabel = "NAME", converter = NamedEnum.Schedules.class,
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    LrSchedule.Kind schedule;

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

    @Option(names = "--wire-precision", defaultValue = "fp32", paramLabel = "FORMAT",
            converter = NamedEnum.WirePrecisions.class,
            description = "Bit reduction (ch. 8.3): gradients and parameters travel as ${COMPLETION-CANDIDATES}; fp32 is "
                    + "exact, bf16 and fp16 take half the bytes and round both (the optimizer keeps fp32), the same "
                    + "way with --workers 0 (default: ${DEFAULT-VALUE}).")
    WirePrecision wirePrecision;

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

    @Option(names = "--aeron-dir", paramLabel = "DIR",
            description = "Use the Aeron media driver running in DIR (the host's, shared by its JVMs, which then talk "
                    + "over IPC), or start one there if none runs (default: local-cluster starts one for its JVMs, "
                    + "the others embed their own).")
    Path aeronDir;

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
        new TrainJob(mode(), cfg, dataDir, new TrainJob.Cluster(workers, host, port, dataPort, mtu, configFile,
                workerTimeout, aeronDir), new TrainJob.Output(runDir, resume, !noPlots, quiet, verbose)).run();
        return 0;
    }

    /** Where the job's workers are (the local-cluster and coordinator commands override). */
    TrainJob.Mode mode() {
        return TrainJob.Mode.TRAIN;
    }

    /** The flag that sets a setting of config.json (batch_size → --batch-size). */
    static String flagOf(String setting) {
        return "--" + setting.replace('_', '-');
    }

    /** Turns the flags into a validated config, naming any bad flag. */
    TrainConfig config() {
        boolean twoLayer = model == ModelName.TWO_LAYER;
        if (model != ModelName.MULTI_LAYER) {
            // Flags that shape the multi-layer net would be silently ignored by the others: refuse them.
            String ignored = batchNorm ? "--batch-norm" : dropout != 0f ? "--dropout"
                    : activation != Activation.RELU ? "--activation" : hidden != null && !twoLayer ? "--hidden" : null;
            if (ignored != null) {
                throw new IllegalArgumentException(ignored + " does not apply to --model " + model
                        + " (it shapes --model multi-layer" + (ignored.equals("--hidden") ? " and two-layer" : "") + ")");
            }
        }
        if (twoLayer && hidden != null && hidden.sizes().length != 1) {
            throw new IllegalArgumentException("invalid value for --hidden: '" + String.join(",",
                    Arrays.stream(hidden.sizes()).mapToObj(Integer::toString).toList()) + "' (two-layer takes one hidden size)");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("invalid value for --dropout: " + dropout + " (expected a ratio in [0, 1))");
        }
        Optimizers.Kind opt = optimizer != null ? optimizer : twoLayer ? Optimizers.Kind.SGD : Optimizers.Kind.ADAM;
        float rate = lr != null ? lr : switch (opt) {
            case SGD -> 0.1f;
            case ADAM -> 0.001f;
            case ADADELTA -> 1f;
            default -> 0.01f;
        };
        float decay = rmsDecay != null ? rmsDecay : Optimizers.defaultDecay(opt.toString());
        Init in = init != null ? init : autoInit();
        NetSpec net = switch (model) {
            case TWO_LAYER -> Nets.twoLayer(hidden == null ? 50 : hidden.sizes()[0], in);
            case MULTI_LAYER -> Nets.multiLayer(hidden == null ? new int[] {100, 100, 100, 100} : hidden.sizes(),
                    activation.toString(), in, batchNorm, dropout);
            case SIMPLE_CNN -> Nets.simpleConv(in);
            case DEEP_CNN -> Nets.deepConv(in);
            case LENET -> Nets.lenet(in);
            case ALEXNET_SMALL -> Nets.alexnetSmall(in);
        };
        try {
            return new TrainConfig(model.toString(), net, opt.toString(), rate, momentum, decay, beta1, beta2,
                    new LrSchedule(schedule, lrGamma, lrStepEpochs), weightDecay, batchSize, epochs, steps, seed,
                    virtualShards, trainSamples, validationFraction, wirePrecision, threads, logEvery, checkpointEvery,
                    evalTrainSamples);
        } catch (InvalidSetting e) {
            throw new IllegalArgumentException(e.message(flagOf(e.setting())), e);
        }
    }

    private Init autoInit() {
        return switch (model) {
            case TWO_LAYER, SIMPLE_CNN -> Init.std(0.01);
            case DEEP_CNN, ALEXNET_SMALL -> Init.he();
            case LENET -> Init.xavier(); // sigmoid throughout
            case MULTI_LAYER -> activation == Activation.RELU ? Init.he() : Init.xavier();
        };
    }
}

package dptrain.cli;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import com.typesafe.config.Config;
import dptrain.cluster.protocol.SearchProtocol;
import dptrain.cluster.protocol.WorkerProtocol;
import dptrain.cluster.transport.DataPlane;
import dptrain.cluster.transport.LazyDataPlane;
import dptrain.coordinator.ClusterNodes;
import dptrain.coordinator.GroupJob;
import dptrain.coordinator.SearchBook;
import dptrain.coordinator.SearchCoordinator;
import dptrain.data.Dataset;
import dptrain.data.Mnist;
import dptrain.data.Split;
import dptrain.nn.Model;
import dptrain.search.GaussianProcess;
import dptrain.search.Param;
import dptrain.search.SearchPlan;
import dptrain.search.SearchSpace;
import dptrain.tensor.Blas;
import dptrain.train.Checkpoint;
import dptrain.train.Evaluator;
import dptrain.train.LocalShardExecutor;
import dptrain.train.RunDirectory;
import dptrain.train.ShardPlan;
import dptrain.train.TrainConfig;
import dptrain.train.Trainer;
import dptrain.train.TrainingSet;
import dptrain.util.AtomicFiles;
import dptrain.util.JsonCodec;
import dptrain.worker.Worker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/** A hyperparameter search farmed out to the cluster's workers, scored on a validation split. */
@Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Searches hyperparameters: every trial is a `train` run (the fixed part: any train flag given "
                + "here, e.g. --model multi-layer --hidden 100,100 --train-samples 500) with the --param values of "
                + "the trial, scored by its accuracy on a validation split carved from the training images. Trials run "
                + "on the cluster's workers; the best configuration is then retrained on training + validation images "
                + "and scored once on the test set.",
                "Results: RUN_DIR/trials.csv, leaderboard.txt, summary.json, plots/, best-args.txt (use as "
                        + "`dptrain train @RUN_DIR/best-args.txt`), journal.jsonl (what --resume replays)."})
final class SearchCommand implements Callable<Integer> {
    /** Search flags that decide what the search computes: --resume takes them from the journal. */
    private static final List<String> DEFINING = List.of("--param", "--space", "--strategy", "--sampler", "--seed",
            "--seeds-per-trial", "--epochs", "--min-epochs", "--eta", "--bayes-window", "--bayes-initial", "--kernel",
            "--grid-points", "--max-retries", "--validation-fraction");

    /** train flags a parameter may not name: the search owns them, or they do not change the computed bits. */
    private static final Set<String> NOT_PARAMS = Set.of("seed", "epochs", "steps", "validation-fraction", "threads",
            "workers", "host", "port", "data-port", "mtu", "config", "worker-timeout", "data-dir", "run-dir", "resume",
            "checkpoint-every", "log-every", "eval-train-samples", "no-plots", "quiet", "verbose", "help", "version");

    /** The parameter whose values are whole sets of train flags (a search over named configurations). */
    static final String VARIANT = "variant";

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--param", paramLabel = "NAME=DIST",
            description = "A searched train setting and its distribution: uniform:LO:HI, log-uniform:LO:HI, int:LO:HI, "
                    + "log-int:LO:HI or choice:A,B,... (e.g. lr=log-uniform:1e-6:1e-2, optimizer=choice:sgd,adam). "
                    + "variant=choice:FLAGS,FLAGS,... tries whole sets of train flags (e.g. 'variant=choice:--optimizer "
                    + "sgd --lr 0.01,--optimizer adam'). Repeat for each parameter.")
    List<String> params = new ArrayList<>();

    @Option(names = "--space", paramLabel = "FILE", description = "The parameters as a HOCON or JSON file "
            + "(lr = \"log-uniform:1e-6:1e-2\", optimizer = [sgd, adam], ...), before any --param.")
    Path spaceFile;

    @Option(names = "--strategy", defaultValue = "random", paramLabel = "NAME",
            description = "random | sobol | grid | bayes | asha (default: ${DEFAULT-VALUE}).")
    String strategy;

    @Option(names = "--sampler", defaultValue = "random", paramLabel = "NAME",
            description = "asha: how its trials are proposed: random | sobol | grid | bayes (default: ${DEFAULT-VALUE}).")
    String sampler;

    @Option(names = "--trials", defaultValue = "20", paramLabel = "N",
            description = "Trials (grid: at most the grid's points; default: ${DEFAULT-VALUE}).")
    int trials;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
            description = "Search seed: trial i's values derive from (S, i); its r-th run trains with --seed S+r (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--seeds-per-trial", defaultValue = "1", paramLabel = "R",
            description = "Runs per trial with seeds S … S+R-1; the score is their mean, the spread is reported (default: ${DEFAULT-VALUE}).")
    int seedsPerTrial;

    @Option(names = "--epochs", defaultValue = "5", paramLabel = "E",
            description = "A trial's full budget in epochs (asha: the last rung; default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--min-epochs", defaultValue = "1", paramLabel = "E",
            description = "asha: epochs of the first rung (default: ${DEFAULT-VALUE}).")
    int minEpochs;

    @Option(names = "--eta", defaultValue = "3", paramLabel = "N",
            description = "asha: reduction factor; rungs at min-epochs·eta^k; one trial in eta goes on (default: ${DEFAULT-VALUE}).")
    int eta;

    @Option(names = "--bayes-window", defaultValue = "4", paramLabel = "W",
            description = "bayes: trial i is proposed from the results of trials < i-W, whatever the worker count (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--bayes-initial", defaultValue = "8", paramLabel = "N",
            description = "bayes: trials drawn from Sobol before the Gaussian process takes over (default: ${DEFAULT-VALUE}).")
    int initialPoints;

    @Option(names = "--kernel", defaultValue = "matern52", paramLabel = "NAME",
            description = "bayes: matern52 | rbf (default: ${DEFAULT-VALUE}).")
    String kernel;

    @Option(names = "--grid-points", defaultValue = "3", paramLabel = "N",
            description = "grid: values per numeric parameter (default: ${DEFAULT-VALUE}).")
    int gridPoints;

    @Option(names = "--max-retries", defaultValue = "3", paramLabel = "N",
            description = "Times a unit may fail (worker lost …) before its trial is marked failed (default: ${DEFAULT-VALUE}).")
    int maxRetries;

    @Option(names = "--validation-fraction", defaultValue = "0.2", paramLabel = "F",
            description = "Fraction of the training images held out to score trials (default: ${DEFAULT-VALUE}).")
    double validationFraction;

    @Option(names = "--max-concurrent", defaultValue = "0", paramLabel = "C",
            description = "Units running at once (0: one per worker; default: ${DEFAULT-VALUE}).")
    int maxConcurrent;

    @Option(names = "--workers", defaultValue = "2", paramLabel = "N",
            description = "Workers: in this JVM, or N worker JVMs with --local-cluster, or how many to wait for with "
                    + "--coordinator (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--workers-per-trial", defaultValue = "1", paramLabel = "G",
            description = "Workers that train each trial together, data-parallel (the cluster job of `train`, same "
                    + "bits), with several such groups at once; 1: each worker trains a trial alone on its own threads "
                    + "(default: ${DEFAULT-VALUE}).")
    int workersPerTrial;

    @Option(names = "--local-cluster", description = "Run the workers as separate JVMs on this machine (loopback).")
    boolean localCluster;

    @Option(names = "--coordinator", description = "Run as the coordinator of real hosts: workers join with "
            + "`dptrain worker --join HOST:PORT`.")
    boolean coordinator;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N",
            description = "Compute threads of each worker's trial (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Address this node binds to and advertises (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", paramLabel = "PORT",
            description = "Akka port of the coordinator (default: 25520 with --coordinator, any free port otherwise).")
    Integer port;

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON file over dptrain-cluster.conf.")
    Path configFile;

    @Option(names = "--worker-timeout", defaultValue = "120", paramLabel = "SECONDS",
            description = "How long to wait for a first worker, or for any worker when none is left (default: ${DEFAULT-VALUE}).")
    int workerTimeout;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "MNIST directory (default: $DPTRAIN_DATA_DIR, else ~/.dptrain/mnist); fetched on first use.")
    String dataDir;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "Where the search's results go (default: runs/search-<time>).")
    Path runDir;

    @Option(names = "--resume", description = "Continue the search in --run-dir from its journal (a larger --trials extends it).")
    boolean resume;

    @Option(names = "--no-final", description = "Skip the final retraining of the best configuration and its test score.")
    boolean noFinal;

    @Option(names = "--verbose", description = "The nodes' INFO logs on the terminal too (they always go to "
            + "RUN_DIR/logs/dptrain.log; the terminal shows warnings and errors).")
    boolean verbose;

    @Option(names = "--quiet", description = "No live view (events and the result only).")
    boolean quiet;

    @Unmatched
    List<String> trainArgs = new ArrayList<>();

    /** Trials already scored when this process started (a resumed search). */
    private int scoredBefore;

    @Override
    public Integer call() throws Exception {
        if (workers < 1 || workers > 1024) {
            throw new IllegalArgumentException("invalid value for --workers: " + workers + " (expected 1..1024)");
        }
        if (localCluster && coordinator) {
            throw new IllegalArgumentException("--local-cluster and --coordinator exclude each other");
        }
        if (workerTimeout < 1) {
            throw new IllegalArgumentException("invalid value for --worker-timeout: " + workerTimeout + " (expected seconds >= 1)");
        }
        if (workersPerTrial < 1 || workersPerTrial > workers) {
            throw new IllegalArgumentException("invalid value for --workers-per-trial: " + workersPerTrial
                    + " (expected 1.." + workers + ", the number of --workers)");
        }
        if (maxConcurrent < 0) {
            throw new IllegalArgumentException("invalid value for --max-concurrent: " + maxConcurrent + " (expected >= 0)");
        }
        if (port != null) {
            TrainJob.requirePort("--port", port);
        }
        List<String> original = spec.commandLine().getParseResult().originalArgs();
        List<Map<String, Object>> journal = List.of();
        if (resume) {
            if (runDir == null) {
                throw new IllegalArgumentException("--resume needs --run-dir: the directory of the search to continue");
            }
            Path jf = runDir.resolve("journal.jsonl");
            if (!Files.exists(jf)) {
                throw new IllegalArgumentException("--resume: no search journal at " + jf);
            }
            journal = SearchBook.readJournal(jf);
            adoptJournal(journal);
        } else if (runDir == null) {
            runDir = Path.of("runs", "search-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        } else if (Files.exists(runDir.resolve("journal.jsonl"))) {
            throw new IllegalArgumentException("--run-dir " + runDir + " already holds a search; pass --resume to "
                    + "continue it (or extend it with a larger --trials) or choose another directory");
        }
        SearchPlan plan = new SearchPlan(settings());
        if (localCluster) {
            validate(plan, null); // the flags of every trial, before any JVM starts (the split sizes need MNIST)
        }
        Path data = FetchMnistCommand.ensureMnist(dataDir);
        if (localCluster) {
            // The worker JVMs boot (JVM, MNIST, Akka) while this one loads MNIST, checks the trials and starts its
            // node: they are started first, to join the port chosen for the coordinator now.
            if (port == null) {
                port = freePort(host);
            }
            Files.createDirectories(runDir);
            if (workersPerTrial > 1) {
                // Groups train data-parallel: one media driver for the host's JVMs, which then exchange parameters
                // and gradients over IPC (as local-cluster's training does).
                DataPlane.Settings s = DataPlane.Settings.from(ClusterNodes.base(configFile), host);
                hostDriver = LocalCluster.startDriver(runDir, s.mtu(), s.termLength());
            }
            children = LocalCluster.spawn(workers, host + ":" + port, host, runDir, data, configFile, null,
                    hostDriver == null ? null : hostDriver.dir());
        }
        try {
            return search(original, journal, plan, data);
        } finally {
            LocalCluster.destroy(children); // those not stopped by the search (it failed before it started)
            if (hostDriver != null) {
                hostDriver.close();
            }
        }
    }

    /** The worker JVMs of --local-cluster, started before the search's own node. */
    private List<Process> children = List.of();
    /** With --local-cluster and groups: the host's media driver, shared by every JVM of the search. */
    private LocalCluster.HostDriverProcess hostDriver;

    private static int freePort(String host) throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }

    private Integer search(List<String> original, List<Map<String, Object>> journal, SearchPlan plan, Path data)
            throws Exception {
        Mnist mnist = TrainingSet.mnist(data);
        validate(plan, mnist);
        Files.createDirectories(runDir);
        Logs.toRunDir(runDir, verbose);
        PrintStream err = System.err;
        try (SearchBook book = new SearchBook(runDir, plan)) {
            if (resume) {
                book.replay(journal);
                scoredBefore = plan.scoredTrials();
                err.printf(Locale.ROOT, "dptrain search: resuming %s: %d results in the journal%n", runDir,
                        journal.stream().filter(r -> "result".equals(r.get("type"))).count());
            } else {
                book.journal(header(original));
            }
            book.journal(Map.of("type", "start", "trials", plan.trialCount(), "at", System.currentTimeMillis()));
            err.printf(Locale.ROOT, "dptrain search: %s; space %s%n  fixed train flags: %s%n  validation: %.0f%% of "
                            + "the training images; the test set is not touched until the end%n  run directory: %s%n",
                    plan.describe(), String.join(" ", plan.settings().space().params().stream().map(Param::describe)
                            .toList()), trainArgs.isEmpty() ? "(train's defaults)" : String.join(" ", trainArgs),
                    100 * validationFraction, runDir);
            long t0 = System.nanoTime();
            runSearch(book, mnist, data, err);
            double wall = (System.nanoTime() - t0) / 1e9;
            double startup = book.firstUnitNanos() == 0 ? Double.NaN : (book.firstUnitNanos() - t0) / 1e9;
            book.writeTables(Set.of(), true);
            writePlots(book);
            Map<String, Object> summary = summary(book, wall, startup);
            List<Integer> rank = plan.ranking();
            err.println();
            err.println("leaderboard (validation accuracy; " + plan.trialCount() + " trials):");
            err.print(book.leaderboard(10));
            Map<?, ?> narrowed = (Map<?, ?>) summary.get("suggested_ranges");
            if (!narrowed.isEmpty()) {
                err.println("the top 5 suggest narrower ranges for a next search: --param "
                        + String.join(" --param ", narrowed.values().stream().map(String::valueOf).toList()));
            }
            if (!rank.isEmpty()) {
                writeBest(book, rank.get(0), summary);
                if (!noFinal) {
                    finalRun(book, rank.get(0), mnist, summary, err);
                }
            } else {
                err.println("no trial has a score: nothing to retrain");
            }
            AtomicFiles.writeString(runDir.resolve("summary.json"), JsonCodec.write(summary) + "\n");
            err.println("  " + runDir.resolve("summary.json"));
            Map<String, Object> end = new LinkedHashMap<>();
            end.put("type", "end");
            end.put("best_trial", rank.isEmpty() ? null : rank.get(0));
            book.journal(end);
        }
        return 0;
    }

    /** With --resume: the search's settings come from the journal's header; flags here may not change them. */
    private void adoptJournal(List<Map<String, Object>> journal) {
        Map<String, Object> head = journal.isEmpty() ? null : journal.get(0);
        if (head == null || !"search".equals(head.get("type"))) {
            throw new IllegalArgumentException("--resume: " + runDir.resolve("journal.jsonl") + " does not start with "
                    + "a search header (is it a search's run directory?)");
        }
        CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        for (String f : DEFINING) {
            if (pr.hasMatchedOption(f)) {
                throw new IllegalArgumentException("--resume takes the search's settings from " + runDir.resolve(
                        "journal.jsonl") + "; " + f + " would change them (only --trials, to extend the search, and "
                        + "how it runs — --workers, --local-cluster, --threads … — may be given)");
            }
        }
        if (!trainArgs.isEmpty()) {
            throw new IllegalArgumentException("--resume takes the trials' train flags from the journal; "
                    + String.join(" ", trainArgs) + " would change them");
        }
        @SuppressWarnings("unchecked")
        List<String> args = (List<String>) head.get("args");
        SearchCommand was = new SearchCommand();
        new CommandLine(was).parseArgs(args.toArray(String[]::new));
        params = was.params;
        spaceFile = null;
        spaceParams = was.space();
        strategy = was.strategy;
        sampler = was.sampler;
        seed = was.seed;
        seedsPerTrial = was.seedsPerTrial;
        epochs = was.epochs;
        minEpochs = was.minEpochs;
        eta = was.eta;
        window = was.window;
        initialPoints = was.initialPoints;
        kernel = was.kernel;
        gridPoints = was.gridPoints;
        maxRetries = was.maxRetries;
        validationFraction = was.validationFraction;
        trainArgs = was.trainArgs;
        if (!pr.hasMatchedOption("--trials")) {
            trials = was.trials;
        } else if (trials < was.trials) {
            throw new IllegalArgumentException("invalid value for --trials: " + trials + " (the search in " + runDir
                    + " has " + was.trials + "; --resume can extend a search, not shorten it)");
        }
    }

    private List<Param> spaceParams;

    /** The space: --space file first, then --param flags (with --resume: as the journal has them). */
    private List<Param> space() {
        if (spaceParams != null) {
            return spaceParams;
        }
        List<Param> ps = new ArrayList<>();
        if (spaceFile != null) {
            ps.addAll(SearchSpace.parseFile(spaceFile));
        }
        ps.addAll(SearchSpace.parseFlags(params));
        return ps;
    }

    private SearchPlan.Settings settings() {
        SearchSpace space = new SearchSpace(space());
        if (space.dimensions() == 0) {
            throw new IllegalArgumentException("nothing to search: give at least one --param NAME=DIST or a --space FILE");
        }
        CommandLine trainSpec = new CommandLine(new TrainCommand());
        List<String> names = new ArrayList<>();
        for (CommandLine.Model.OptionSpec o : trainSpec.getCommandSpec().options()) {
            String n = o.longestName().substring(2);
            if (!NOT_PARAMS.contains(n)) {
                names.add(n);
            }
        }
        names.add(VARIANT);
        for (Param p : space.params()) {
            if (!names.contains(p.name())) {
                String hint = NOT_PARAMS.contains(p.name()) ? " (the search owns it, or it does not change what is "
                        + "computed)" : nearest(p.name(), names);
                throw new IllegalArgumentException("invalid --param '" + p.name() + "': it names no train setting "
                        + "a search can vary" + hint + "; expected one of " + String.join(", ", names));
            }
        }
        String strat = strategy.toLowerCase(Locale.ROOT);
        boolean asha = strat.equals("asha");
        SearchPlan.Sampler s = sampler(asha ? sampler : strat, asha ? "--sampler" : "--strategy");
        if (!asha && pr("--sampler")) {
            throw new IllegalArgumentException("--sampler applies to --strategy asha only (got --strategy " + strategy + ")");
        }
        GaussianProcess.Kernel k = switch (kernel.toLowerCase(Locale.ROOT)) {
            case "matern52", "matern" -> GaussianProcess.Kernel.MATERN52;
            case "rbf" -> GaussianProcess.Kernel.RBF;
            default -> throw new IllegalArgumentException("invalid value for --kernel: '" + kernel + "' (expected matern52 or rbf)");
        };
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("invalid value for --validation-fraction: " + validationFraction
                    + " (expected a fraction in (0, 1): trials are scored on it)");
        }
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException("invalid value for --threads: " + threads + " (expected 1..256)");
        }
        return new SearchPlan.Settings(space, s, asha, trials, seedsPerTrial, epochs, asha ? minEpochs : epochs,
                eta, window, initialPoints, gridPoints, k, maxRetries, seed);
    }

    private boolean pr(String option) {
        return spec != null && spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    private static SearchPlan.Sampler sampler(String name, String flag) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "random" -> SearchPlan.Sampler.RANDOM;
            case "sobol" -> SearchPlan.Sampler.SOBOL;
            case "grid" -> SearchPlan.Sampler.GRID;
            case "bayes" -> SearchPlan.Sampler.BAYES;
            default -> throw new IllegalArgumentException("invalid value for " + flag + ": '" + name + "' (expected "
                    + (flag.equals("--strategy") ? "random, sobol, grid, bayes or asha" : "random, sobol, grid or bayes") + ")");
        };
    }

    private static String nearest(String name, List<String> names) {
        return dptrain.util.Nearest.suggestion(name, names);
    }

    /** The train command line of trial t's r-th seed: the fixed flags, the trial's values, the search's own. */
    List<String> trialArgs(SearchPlan plan, int trial, int seedIndex, Map<String, String> values) {
        List<String> a = new ArrayList<>(trainArgs);
        for (Map.Entry<String, String> e : values.entrySet()) {
            addValue(a, e.getKey(), e.getValue());
        }
        a.addAll(List.of("--epochs", Integer.toString(plan.settings().maxEpochs()),
                "--validation-fraction", Double.toString(validationFraction),
                "--seed", Long.toString(plan.trialSeed(seedIndex)),
                "--threads", Integer.toString(threads)));
        return a;
    }

    private static void addValue(List<String> a, String name, String value) {
        if (name.equals(VARIANT)) { // whole sets of train flags, e.g. "--optimizer sgd --lr 0.01"
            a.addAll(List.of(value.trim().split("\\s+")));
            return;
        }
        if (name.equals("batch-norm")) {
            if (!value.equalsIgnoreCase("false")) {
                if (!value.equalsIgnoreCase("true")) {
                    throw new IllegalArgumentException("invalid --param batch-norm value '" + value + "' (expected choice:true,false)");
                }
                a.add("--batch-norm");
            }
            return;
        }
        a.add("--" + name);
        a.add(value);
    }

    /**
     * Checks, before anything starts, that the fixed flags parse and that every parameter's extreme values (both
     * ends of a range, every choice) make a valid train configuration, naming the parameter otherwise.
     */
    private void validate(SearchPlan plan, Mnist mnist) { // mnist null: flags only
        Map<String, String> base = new LinkedHashMap<>();
        for (Param p : plan.settings().space().params()) {
            base.put(p.name(), p.grid(2).get(0));
        }
        checkConfig(plan, mnist, base, null, null);
        for (Param p : plan.settings().space().params()) {
            for (String v : p.kind() == Param.Kind.CHOICE ? p.choices() : p.grid(2)) {
                Map<String, String> m = new LinkedHashMap<>(base);
                m.put(p.name(), v);
                checkConfig(plan, mnist, m, p, v);
            }
        }
    }

    private void checkConfig(SearchPlan plan, Mnist mnist, Map<String, String> values, Param p, String v) {
        try {
            List<String> a = trialArgs(plan, 0, 0, values);
            TrainConfig cfg = TrialRun.parse(a).config();
            if (cfg.maxSteps() != 0) {
                throw new IllegalArgumentException("--steps does not apply to a search (a trial's budget is --epochs)");
            }
            Split split = mnist == null ? null
                    : TrainingSet.split(mnist, cfg.trainSamples(), cfg.validationFraction(), cfg.seed());
            if (split != null && split.train().size() < cfg.batchSize()) {
                throw new IllegalArgumentException("invalid value for --batch-size: " + cfg.batchSize() + " (expected at "
                        + "most the " + split.train().size() + " training images left after holding out "
                        + 100 * validationFraction + "% for validation)");
            }
        } catch (IllegalArgumentException e) {
            String msg = dptrain.util.InvalidSetting.describe(e, TrainCommand::flagOf).replace("Unknown option", "unknown option").replace("Unmatched argument",
                    "unknown argument");
            throw new IllegalArgumentException(p == null ? "search: " + msg
                    + " (the fixed part of a trial is a train command line; see dptrain train --help)"
                    : "invalid --param " + p.describe() + ": with " + p.name() + " = " + v + ": " + msg);
        }
    }

    private Map<String, Object> header(List<String> original) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("type", "search");
        h.put("version", SearchBook.VERSION);
        // Everything that defines the search, as given: --resume parses it again.
        List<String> args = new ArrayList<>();
        for (Param p : space()) {
            args.add("--param");
            args.add(p.describe());
        }
        args.addAll(List.of("--strategy", strategy, "--sampler", sampler, "--trials", Integer.toString(trials),
                "--seed", Long.toString(seed), "--seeds-per-trial", Integer.toString(seedsPerTrial),
                "--epochs", Integer.toString(epochs), "--min-epochs", Integer.toString(minEpochs),
                "--eta", Integer.toString(eta), "--bayes-window", Integer.toString(window),
                "--bayes-initial", Integer.toString(initialPoints), "--kernel", kernel,
                "--grid-points", Integer.toString(gridPoints), "--max-retries", Integer.toString(maxRetries),
                "--validation-fraction", Double.toString(validationFraction)));
        args.addAll(trainArgs);
        h.put("args", args);
        h.put("command_line", original);
        h.put("blas", Blas.identity());
        return h;
    }

    // ------------------------------------------------------------------ running

    private void runSearch(SearchBook book, Mnist mnist, Path data, PrintStream err) throws Exception {
        SearchPlan plan = book.plan();
        if (plan.finished(Set.of())) {
            err.println("  every trial already has its result: nothing to run");
            return;
        }
        Config base = ClusterNodes.base(configFile);
        if (hostDriver != null) {
            base = base.withValue("dptrain.data-plane.aeron-dir",
                    com.typesafe.config.ConfigValueFactory.fromAnyRef(hostDriver.dir().toString()));
        }
        int akkaPort = port != null ? port : coordinator ? 25520 : 0;
        long searchId = new java.security.SecureRandom().nextLong() & Long.MAX_VALUE;
        CompletableFuture<String> done = new CompletableFuture<>();
        ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
        AtomicReference<Supplier<SearchCoordinator.Status>> status = new AtomicReference<>();
        // Groups (--workers-per-trial > 1) train through this node's data plane: IPC to workers in this JVM, UDP
        // to worker JVMs. It starts with the first group's job.
        LazyDataPlane groupPlane = workersPerTrial > 1 ? new LazyDataPlane(DataPlane.Settings.from(base, host)) : null;
        Set<Thread> groupThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        // Workers in this JVM, or worker JVMs on the host's driver: IPC only; real hosts: UDP.
        boolean ipc = !coordinator && (!localCluster || hostDriver != null);
        long groupTimeoutMillis = workerTimeout * 1000L;
        SearchCoordinator.Setup setup = new SearchCoordinator.Setup(searchId, book,
                (t, r) -> trialArgs(plan, t, r, plan.values(t)).toArray(String[]::new),
                maxConcurrent > 0 ? maxConcurrent : Integer.MAX_VALUE, mnist.train().fingerprint(), Blas.identity(), done,
                workersPerTrial, (system, group) -> tracked(groupThreads, new TrialRun(data, (cfg, model, train, stop) ->
                        GroupJob.start(system, groupPlane.get(), ipc, cfg, train, group, groupTimeoutMillis, stop))));
        ActorSystem<SearchProtocol.Command> sys = ClusterNodes.startFirst(
                SearchCoordinator.create(setup, events, status::set), ClusterNodes.node(base, host, akkaPort, "coordinator"));
        List<ActorSystem<WorkerProtocol.Command>> local = new ArrayList<>();
        String seedNode = ClusterNodes.hostPort(sys);
        try {
            if (localCluster) {
                err.printf(Locale.ROOT, "  local cluster: coordinator %s (pid %d), %d worker JVMs; logs in %s%n",
                        seedNode, ProcessHandle.current().pid(), workers, runDir.resolve("logs"));
                if (hostDriver != null) {
                    err.printf(Locale.ROOT, "  data plane: the host's media driver, pid %d, in %s; IPC between this "
                            + "host's JVMs%n", hostDriver.process().pid(), hostDriver.dir());
                }
            } else if (coordinator) {
                err.printf(Locale.ROOT, "  coordinator at %s; start workers with: scripts/dptrain worker --join %s "
                        + "--host <their address>%n", seedNode, seedNode);
            } else {
                TrialRun runner = new TrialRun(data);
                for (int i = 0; i < workers; i++) {
                    local.add(ClusterNodes.startWorker(ClusterNodes.node(base, host, 0, "worker"), seedNode,
                            new Worker.Env(data, groupPlane, host, 0, () -> { }, runner)));
                }
                err.printf(Locale.ROOT, "  %d worker actors in this JVM (coordinator %s)%n", workers, seedNode);
            }
            watch(book, done, events, status, err);
            finish(sys, "completed");
        } catch (Exception | Error e) {
            finish(sys, "failed");
            throw e;
        } finally {
            // Group units were told to stop (finish); their jobs release their workers before the nodes go, and
            // nothing may use this node's data plane any more when it closes.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (Thread t : groupThreads) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
            // This node leaves while the worker JVMs end (they leave by themselves after the search).
            sys.terminate();
            LocalCluster.stop(children);
            for (ActorSystem<WorkerProtocol.Command> w : local) {
                w.terminate();
            }
            for (ActorSystem<WorkerProtocol.Command> w : local) {
                try {
                    w.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    err.println("warning: a worker node did not stop within 20 s");
                }
            }
            sys.terminate();
            try {
                sys.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                err.println("warning: the coordinator node did not stop within 20 s");
            }
            if (groupPlane != null) {
                groupPlane.close();
            }
        }
    }

    /** runner, with the threads running it kept in threads while they do (so the search can wait for them). */
    private static dptrain.worker.TrialRunner tracked(Set<Thread> threads, dptrain.worker.TrialRunner runner) {
        return new dptrain.worker.TrialRunner() {
            @Override
            public Outcome run(String[] args, int epoch, byte[] resume, Events events,
                               java.util.function.BooleanSupplier stop) throws Exception {
                threads.add(Thread.currentThread());
                try {
                    return runner.run(args, epoch, resume, events, stop);
                } finally {
                    threads.remove(Thread.currentThread());
                }
            }

            @Override
            public String mnistFingerprint() {
                return runner.mnistFingerprint();
            }
        };
    }

    private static void finish(ActorSystem<SearchProtocol.Command> sys, String status) {
        try {
            AskPattern.<SearchProtocol.Command, Boolean>ask(sys, r -> new SearchCoordinator.Finish(status, r),
                    Duration.ofSeconds(5), sys.scheduler()).toCompletableFuture().get(6, TimeUnit.SECONDS);
            Thread.sleep(200); // let the stop messages leave before the node goes
        } catch (Exception e) {
            // the workers notice the coordinator leave anyway
        }
    }

    /**
     * The live view. On a terminal: events scroll by above a block redrawn every second (the status line, each
     * running unit with its worker, epoch and values, and the top 10). Otherwise: events as lines and the status
     * line every 10 s.
     */
    private void watch(SearchBook book, CompletableFuture<String> done, ConcurrentLinkedQueue<String> events,
                       AtomicReference<Supplier<SearchCoordinator.Status>> status, PrintStream err) throws Exception {
        boolean tty = System.console() != null && !quiet;
        LiveView view = new LiveView(err);
        long start = System.nanoTime();
        long lastLine = 0;
        long noWorkerSince = System.nanoTime();
        long[] epochs0 = null; // the epochs done when this process first hears from the actor (a resume has some)
        try {
            while (true) {
                try {
                    done.get(tty ? 1 : 2, TimeUnit.SECONDS);
                    break;
                } catch (java.util.concurrent.TimeoutException e) {
                    // not yet: show progress
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
                printEvents(events, view, tty, err);
                SearchCoordinator.Status s = status.get() == null ? null : status.get().get();
                if (s == null) {
                    continue;
                }
                if (epochs0 == null) {
                    epochs0 = new long[] {s.epochsDone()};
                }
                if (s.workers() >= workersPerTrial || !s.running().isEmpty()) {
                    noWorkerSince = System.nanoTime();
                } else if ((System.nanoTime() - noWorkerSince) / 1e9 > workerTimeout) {
                    throw new IllegalStateException((workersPerTrial == 1 ? "no worker"
                            : "only " + s.workers() + " worker(s) for groups of --workers-per-trial " + workersPerTrial)
                            + " for " + workerTimeout + " s (--worker-timeout)"
                            + (localCluster ? "; see the worker logs in " + runDir.resolve("logs") : ""));
                }
                if (quiet) {
                    continue;
                }
                long now = System.nanoTime();
                String line = statusLine(book, s, (now - start) / 1e9, epochs0, !tty);
                if (tty) {
                    view.draw(liveBlock(line, s));
                } else if ((now - lastLine) / 1e9 >= 10) {
                    err.println(line);
                    lastLine = now;
                }
            }
            printEvents(events, view, tty, err);
        } finally {
            view.clear(); // the final leaderboard follows
        }
    }

    private static void printEvents(ConcurrentLinkedQueue<String> events, LiveView view, boolean tty, PrintStream err) {
        String ev;
        while ((ev = events.poll()) != null) {
            if (tty) {
                view.event("  " + ev);
            } else {
                err.println("  " + ev);
            }
        }
    }

    /** The terminal's block: the status line, one line per running unit, and the top 10 as of its last refresh. */
    private static List<String> liveBlock(String statusLine, SearchCoordinator.Status s) {
        List<String> lines = new ArrayList<>();
        lines.add(statusLine);
        for (SearchCoordinator.Running r : s.running()) {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  %-34s trial %d seed %d  epoch %.0f/%d ",
                    r.worker(), r.unit().trial(), r.unit().seedIndex(), r.epoch(), r.unit().epoch()));
            if (r.values() != null) {
                r.values().forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
            }
            lines.add(b.toString());
        }
        if (!s.leaderboard().isBlank()) {
            lines.add("  top 10 by validation accuracy:");
            for (String l : s.leaderboard().split("\n")) {
                lines.add("    " + l);
            }
        }
        return lines;
    }

    private String statusLine(SearchBook book, SearchCoordinator.Status s, double seconds, long[] epochs0,
                              boolean withRunning) {
        SearchPlan plan = book.plan(); // only its fixed settings: what changes comes in s, from the actor
        double expected = expectedEpochs(plan);
        double doneFrac = Math.min(1, s.epochsDone() / expected);
        double rate = (s.epochsDone() - epochs0[0]) / Math.max(seconds, 1e-9);
        String eta = rate > 0 ? duration((expected - s.epochsDone()) / rate) : "?";
        StringBuilder running = new StringBuilder();
        for (SearchCoordinator.Running r : withRunning ? s.running() : List.<SearchCoordinator.Running>of()) {
            running.append(String.format(Locale.ROOT, " [#%d %.0f/%d]", r.unit().trial(), r.epoch(), r.unit().epoch()));
        }
        return String.format(Locale.ROOT, "search %3.0f%% | %d/%d trials scored | %d epochs | ETA %s | best %s | "
                        + "%d workers%s%s", 100 * doneFrac, s.scored(), plan.trialCount(), s.epochsDone(), eta, s.best(),
                s.workers(), s.retries() > 0 ? " | " + s.retries() + " retries" : "", running);
    }

    /** Epochs a search is expected to train: all of them without ASHA; with it, rung k's share 1/η^k. */
    static double expectedEpochs(SearchPlan plan) {
        SearchPlan.Settings s = plan.settings();
        int[] r = plan.rungs();
        double per = r[0];
        for (int k = 1; k < r.length; k++) {
            per += (r[k] - r[k - 1]) / Math.pow(s.eta(), k);
        }
        return Math.max(1, plan.trialCount() * s.seedsPerTrial() * per);
    }

    private static String duration(double s) {
        long x = Math.round(s);
        return x >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", x / 3600, x / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", x / 60, x % 60);
    }

    // ------------------------------------------------------------------ results

    private Map<String, Object> summary(SearchBook book, double wall, double startup) {
        SearchPlan plan = book.plan();
        Map<String, Object> s = new LinkedHashMap<>();
        List<Integer> rank = plan.ranking();
        int[] rungs = plan.rungs();
        s.put("status", "completed");
        s.put("strategy", plan.settings().asha() ? "asha" : strategy);
        s.put("sampler", plan.settings().sampler().name().toLowerCase(Locale.ROOT));
        s.put("seed", Long.toString(seed));
        s.put("trials", plan.trialCount());
        s.put("seeds_per_trial", seedsPerTrial);
        s.put("rungs", rungs);
        Map<String, Integer> counts = new TreeMap<>();
        for (int t = 0; t < plan.trialCount(); t++) {
            counts.merge(plan.status(t, Set.of(), true), 1, Integer::sum);
        }
        s.put("trial_status", counts);
        if (!rank.isEmpty()) {
            int b = rank.get(0);
            int k = plan.topRung(b);
            Map<String, Object> best = new LinkedHashMap<>();
            best.put("trial", b);
            best.put("values", plan.values(b));
            best.put("validation_accuracy", plan.score(b, k));
            best.put("validation_accuracy_sd", plan.spread(b, k));
            best.put("validation_loss", plan.loss(b, k));
            best.put("epochs", rungs[k]);
            best.put("params_sha256", plan.result(b, k, 0).paramsSha256());
            s.put("best", best);
        }
        s.put("suggested_ranges", suggestedRanges(plan, rank));
        long[] e = plan.epochs();
        s.put("epochs_used", e[0]);
        s.put("epochs_budget", e[1]);
        s.put("epochs_fraction", e[1] == 0 ? null : (double) e[0] / e[1]);
        s.put("retries", plan.retries());
        s.put("wall_seconds", wall);
        // Trials this process scored (a resumed search's earlier ones had their own hours).
        int scoredNow = plan.scoredTrials() - scoredBefore;
        s.put("trials_scored_now", scoredNow);
        s.put("trials_per_hour", wall > 0 ? scoredNow * 3600.0 / wall : null);
        // Without the fixed cost of starting the cluster (JVMs, MNIST, joining): the rate a longer search runs at.
        s.put("startup_seconds", Double.isNaN(startup) ? null : startup);
        s.put("trials_per_hour_running", Double.isNaN(startup) || wall <= startup ? null
                : scoredNow * 3600.0 / (wall - startup));
        s.put("workers", workers);
        s.put("mode", localCluster ? "local-cluster" : coordinator ? "coordinator" : "embedded");
        s.put("run_dir", runDir.toString());
        return s;
    }

    /**
     * The book's way of narrowing a search by hand: each numeric parameter's range over the top 5 trials, as a
     * --param for the next search (a choice keeps the values the top 5 used).
     */
    static Map<String, String> suggestedRanges(SearchPlan plan, List<Integer> rank) {
        Map<String, String> out = new LinkedHashMap<>();
        List<Integer> top = rank.subList(0, Math.min(5, rank.size()));
        if (top.size() < 2) {
            return out;
        }
        for (Param p : plan.settings().space().params()) {
            if (p.kind() == Param.Kind.CHOICE) {
                java.util.LinkedHashSet<String> used = new java.util.LinkedHashSet<>();
                for (int t : top) {
                    used.add(plan.values(t).get(p.name()));
                }
                out.put(p.name(), p.name() + "=choice:" + String.join(",", used));
            } else {
                double lo = Double.POSITIVE_INFINITY;
                double hi = Double.NEGATIVE_INFINITY;
                for (int t : top) {
                    double v = Double.parseDouble(plan.values(t).get(p.name()));
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
                boolean ints = p.kind() == Param.Kind.INT || p.kind() == Param.Kind.LOG_INT;
                String l = ints ? Long.toString((long) lo) : String.format(Locale.ROOT, "%.3g", lo);
                String h = ints ? Long.toString((long) hi) : String.format(Locale.ROOT, "%.3g", hi);
                out.put(p.name(), p.name() + "=" + (lo < hi ? p.kind().text() + ":" + l + ":" + h : "choice:" + l));
            }
        }
        return out;
    }

    private void writeBest(SearchBook book, int best, Map<String, Object> summary) throws IOException {
        SearchPlan plan = book.plan();
        List<String> a = trialArgs(plan, best, 0, plan.values(best));
        // The trial's own run: train with these flags gives the trial's params_sha256.
        StringBuilder args = new StringBuilder("# trial " + best + " of the search in " + runDir + " (validation "
                + "accuracy " + String.format(Locale.ROOT, "%.4f", plan.score(best, plan.topRung(best)))
                + "); run it with: dptrain train @" + runDir.resolve("best-args.txt") + "\n");
        for (String x : a) {
            args.append(x).append('\n');
        }
        AtomicFiles.writeString(runDir.resolve("best-args.txt"), args.toString());
        StringBuilder conf = new StringBuilder("# the best trial's settings (trial " + best + ")\n");
        for (Map.Entry<String, String> e : plan.values(best).entrySet()) {
            conf.append(e.getKey()).append(" = \"").append(e.getValue()).append("\"\n");
        }
        AtomicFiles.writeString(runDir.resolve("best.conf"), conf.toString());
        String cmd = "scripts/dptrain train " + String.join(" ", a);
        AtomicFiles.writeString(runDir.resolve("best-command.txt"), cmd + "\n");
        summary.put("best_command", cmd);
        System.err.println("best trial " + best + ": " + cmd);
    }

    /** Retrains the best configuration on training + validation images and scores it once on the test set. */
    private void finalRun(SearchBook book, int best, Mnist mnist, Map<String, Object> summary, PrintStream err)
            throws IOException {
        SearchPlan plan = book.plan();
        List<String> a = new ArrayList<>(trialArgs(plan, best, 0, plan.values(best)));
        int i = a.lastIndexOf("--validation-fraction");
        a.set(i + 1, "0");
        int th = a.lastIndexOf("--threads");
        a.set(th + 1, Integer.toString(Math.max(threads, 2)));
        TrainConfig cfg = TrialRun.parse(a).config();
        Split split = TrainingSet.split(mnist, cfg.trainSamples(), 0, cfg.seed());
        Path dir = runDir.resolve("final");
        if (Files.exists(dir)) {
            TrialRun.deleteTree(dir); // an extended search retrains its (possibly new) best
        }
        Model model = new Model(cfg.net());
        err.printf(Locale.ROOT, "final: retraining trial %d on %,d training + validation images for %d epochs%n", best,
                split.train().size(), cfg.epochs());
        Map<String, Object> s;
        Dataset noTest = mnist.test().subset(new int[0], "none");
        try (RunDirectory run = new RunDirectory(dir);
             LocalShardExecutor ex = new LocalShardExecutor(model, cfg.threads(),
                     ShardPlan.maxShard(cfg.batchSize(), cfg.virtualShards()))) {
            Trainer trainer = new Trainer(cfg, split.train(), split.validation(), noTest, ex, run, List.of());
            s = trainer.run(null);
            Checkpoint c = Checkpoint.read(run.latestCheckpoint());
            Evaluator.Score test;
            try (Evaluator ev = new Evaluator(model, ex.pool())) {
                test = ev.score(c.params(), c.state(), mnist.test(), 0);
            }
            s.put("test_accuracy", test.accuracy());
            s.put("test_loss", test.loss());
            s.put("test_samples", test.samples());
            s.put("test_set_note", "the only time this search touched the test set");
            run.writeJson("summary.json", s);
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("trial", best);
        f.put("train_samples", split.train().size());
        f.put("epochs", cfg.epochs());
        f.put("test_accuracy", s.get("test_accuracy"));
        f.put("test_loss", s.get("test_loss"));
        f.put("params_sha256", s.get("params_sha256"));
        f.put("command", "scripts/dptrain train " + String.join(" ", a));
        f.put("run_dir", dir.toString());
        summary.put("final", f);
        summary.put("test_accuracy", s.get("test_accuracy"));
        err.printf(Locale.ROOT, "final: test accuracy %.2f%% on %,d test images — the only time this search touched "
                + "the test set%n", 100 * (Double) s.get("test_accuracy"), mnist.test().size());
    }

    private void writePlots(SearchBook book) {
        SearchPlan plan = book.plan();
        List<SearchPlots.Axis> axes = new ArrayList<>();
        for (Param p : plan.settings().space().params()) {
            axes.add(new SearchPlots.Axis(p.name(), p.log(), p.lo(), p.hi(), p.choices()));
        }
        List<SearchPlots.Trial> ts = new ArrayList<>();
        for (int t = 0; t < plan.trialCount(); t++) {
            Map<String, String> v = plan.values(t);
            if (v == null) {
                continue;
            }
            Map<String, Object> vals = new LinkedHashMap<>();
            for (Param p : plan.settings().space().params()) {
                String x = v.get(p.name());
                vals.put(p.name(), p.kind() == Param.Kind.CHOICE ? x : (Object) Double.parseDouble(x));
            }
            int k = plan.topRung(t);
            TreeMap<Double, Double> c = book.curve(t);
            ts.add(new SearchPlots.Trial(t, vals, k < 0 ? Double.NaN : plan.score(t, k), plan.status(t, Set.of(), true),
                    c.keySet().stream().mapToDouble(Double::doubleValue).toArray(),
                    c.values().stream().mapToDouble(Double::doubleValue).toArray(), book.endSeconds(t)));
        }
        try {
            SearchPlots.write(runDir.resolve("plots"), axes, ts, plan.settings().asha());
        } catch (IOException | RuntimeException e) {
            System.err.println("warning: could not draw the search's plots: " + e);
        }
    }
}

package dptrain.cli;

import dptrain.experiments.Finding;
import dptrain.experiments.Lab;
import dptrain.experiments.Study;
import dptrain.experiments.Training;
import dptrain.util.AtomicFiles;
import dptrain.util.JsonCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The book's studies as jobs of the cluster: a study's trainings run side by side on the workers (as the trials of a
 * search, so they are farmed out, survive a lost worker and give the same numbers on any cluster), then the study
 * draws its plots, writes its CSV, and checks the book's finding on the numbers.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs one of the book's studies and checks its finding: plots/*.png, a CSV of the numbers, "
                + "summary.txt (the book's finding and whether this run reproduced it) and summary.json in --run-dir.",
                "Studies: perceptron, optimizers, weight-init, batch-norm, overfitting, filters (--list describes them)."})
final class ExperimentCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The study (see --list).")
    String name;

    @Option(names = "--list", description = "List the studies and exit.")
    boolean list;

    @Option(names = "--workers", defaultValue = "2", paramLabel = "N",
            description = "Workers that run the study's trainings side by side: in this JVM, or N worker JVMs with "
                    + "--local-cluster (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--local-cluster", description = "Run the workers as separate JVMs on this machine (loopback).")
    boolean localCluster;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N",
            description = "Compute threads of each training (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed of every training and "
            + "random draw (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--quick", description = "A smaller version of the study (fewer steps and samples), as the tests "
            + "run it; the same findings are checked.")
    boolean quick;

    @Option(names = "--run-dir", paramLabel = "DIR",
            description = "Where the study's results go (default: runs/experiment-NAME-<time>). A study run again in "
                    + "the same directory continues its trainings where they stopped.")
    Path runDir;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "MNIST directory (default: $DPTRAIN_DATA_DIR, else ~/.dptrain/mnist); fetched on first use.")
    String dataDir;

    @Option(names = "--verbose", description = "The trainings' progress in full.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        if (list) {
            for (Study s : Study.all()) {
                System.out.printf(Locale.ROOT, "  %-12s %s%n", s.name(), s.description());
            }
            return 0;
        }
        if (name == null) {
            throw new IllegalArgumentException("missing study: expected one of " + names() + " (experiment --list "
                    + "describes them)");
        }
        Study study = Study.all().stream().filter(s -> s.name().equalsIgnoreCase(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown study '" + name + "': expected one of "
                        + names() + dptrain.util.Nearest.suggestion(name, Study.all().stream().map(Study::name).toList())));
        if (workers < 1 || workers > 1024) {
            throw new IllegalArgumentException("invalid value for --workers: " + workers + " (expected 1..1024)");
        }
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException("invalid value for --threads: " + threads + " (expected 1..256)");
        }
        if (runDir == null) {
            runDir = Path.of("runs", "experiment-" + study.name() + "-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        claimRunDir(study);
        Path data = FetchMnistCommand.ensureMnist(dataDir);
        Logs.toRunDir(runDir, verbose);
        System.err.printf(Locale.ROOT, "dptrain experiment %s%s: %s%n  %d worker%s%s, run directory %s%n", study.name(),
                quick ? " (quick)" : "", study.description(), workers, workers == 1 ? "" : "s",
                localCluster ? " (separate JVMs)" : "", runDir);
        long t0 = System.nanoTime();
        StudyLab lab = new StudyLab(runDir, data);
        List<Finding> findings = study.run(lab);
        double wall = (System.nanoTime() - t0) / 1e9;
        writeSummary(study, findings, wall, lab);
        return 0;
    }

    /**
     * Makes --run-dir this study's (experiment.json: study, scale, seed), or checks it is: a study run again there
     * continues its trainings, which only makes sense for the same study, scale and seed.
     */
    private void claimRunDir(Study study) throws IOException {
        Map<String, Object> mine = new LinkedHashMap<>();
        mine.put("study", study.name());
        mine.put("quick", quick);
        mine.put("seed", seed);
        Path f = runDir.resolve("experiment.json");
        if (Files.exists(f)) {
            Map<String, Object> there;
            try {
                there = JsonCodec.readObject(Files.readString(f));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(f + " is not an experiment's record (" + e.getMessage() + ")");
            }
            // Through JSON, so numbers compare as stored.
            if (!there.equals(JsonCodec.readObject(JsonCodec.write(mine)))) {
                throw new IllegalArgumentException("--run-dir " + runDir + " holds the study " + there.get("study")
                        + (Boolean.TRUE.equals(there.get("quick")) ? " --quick" : "") + " --seed " + there.get("seed")
                        + "; running " + study.name() + (quick ? " --quick" : "") + " --seed " + seed
                        + " there would mix them: choose another directory (or repeat that study's flags to continue it)");
            }
        } else if (Files.isDirectory(runDir)) {
            try (var entries = Files.list(runDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("--run-dir " + runDir + " is not empty and holds no experiment "
                            + "(no experiment.json): choose a new or empty directory");
                }
            }
        }
        Files.createDirectories(runDir);
        AtomicFiles.writeString(f, JsonCodec.write(mine) + "\n");
    }

    private static String names() {
        return String.join(", ", Study.all().stream().map(Study::name).toList());
    }

    private void writeSummary(Study study, List<Finding> findings, double wall, StudyLab lab) throws IOException {
        boolean all = findings.stream().allMatch(Finding::reproduced);
        StringBuilder t = new StringBuilder();
        t.append("Study: ").append(study.name()).append(" — ").append(study.description()).append('\n');
        t.append(String.format(Locale.ROOT, "Run: %s workers%s, seed %d%s, %.1f s%n%n", workers,
                localCluster ? " (local cluster)" : "", seed, quick ? ", quick" : "", wall));
        t.append("The book's findings, checked on this run's numbers:\n");
        List<Map<String, Object>> fs = new ArrayList<>();
        for (Finding f : findings) {
            t.append(f.reproduced() ? "  [reproduced]     " : "  [NOT reproduced] ").append(f.claim()).append('\n')
                    .append("                     measured: ").append(f.measured()).append('\n');
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("claim", f.claim());
            m.put("reproduced", f.reproduced());
            m.put("measured", f.measured());
            fs.add(m);
        }
        t.append('\n').append(all ? "This run reproduced every finding." : "This run did NOT reproduce every finding.")
                .append('\n');
        List<String> plots = new ArrayList<>();
        try (var s = Files.list(lab.plotsDir())) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png")).sorted().forEach(plots::add);
        }
        t.append("Plots: ").append(String.join(", ", plots.stream().map(p -> "plots/" + p).toList())).append('\n');
        AtomicFiles.writeString(runDir.resolve("summary.txt"), t.toString());
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("study", study.name());
        j.put("quick", quick);
        j.put("workers", workers);
        j.put("local_cluster", localCluster);
        j.put("seed", seed);
        j.put("wall_seconds", wall);
        j.put("trainings", lab.trainings);
        j.put("reproduced", all);
        j.put("findings", fs);
        j.put("plots", plots);
        AtomicFiles.writeString(runDir.resolve("summary.json"), JsonCodec.write(j) + "\n");
        System.err.println();
        System.err.print(t);
        System.err.println("  " + runDir.resolve("summary.txt"));
    }

    /** The lab of this command: trainings go to a search over the study's variants on the chosen cluster. */
    private final class StudyLab implements Lab {
        private final Path dir;
        private final Path data;
        int trainings;

        StudyLab(Path dir, Path data) {
            this.dir = dir;
            this.data = data;
        }

        @Override
        public Path dir() {
            return dir;
        }

        @Override
        public Path plotsDir() {
            try {
                return Files.createDirectories(dir.resolve("plots"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot create " + dir.resolve("plots") + ": " + e.getMessage(), e);
            }
        }

        @Override
        public boolean quick() {
            return quick;
        }

        @Override
        public long seed() {
            return seed;
        }

        @Override
        public Path dataDir() {
            return data;
        }

        @Override
        public void say(String line) {
            System.err.println(line);
        }

        @Override
        public List<Training> train(String what, List<String> fixedArgs, List<Variant> variants, int epochs,
                                    double validationFraction) throws Exception {
            Path sdir = dir.resolve("trainings").resolve(what);
            List<String> choices = new ArrayList<>();
            for (Variant v : variants) {
                String flags = String.join(" ", v.args());
                if (flags.contains(",") || flags.isBlank() || choices.contains(flags)) {
                    throw new IllegalStateException("study variant '" + v.label() + "' has flags that cannot be a "
                            + "choice (empty, repeated or with a comma): " + flags);
                }
                choices.add(flags);
            }
            List<String> a = new ArrayList<>();
            boolean resume = Files.exists(sdir.resolve("journal.jsonl"));
            if (resume) {
                a.add("--resume");
            } else {
                a.addAll(List.of("--strategy", "grid", "--param", SearchCommand.VARIANT + "=choice:"
                                + String.join(",", choices), "--trials", Integer.toString(variants.size()),
                        "--epochs", Integer.toString(epochs), "--validation-fraction",
                        Double.toString(validationFraction), "--seed", Long.toString(seed)));
            }
            a.addAll(List.of("--no-final", "--quiet", "--workers", Integer.toString(workers), "--threads",
                    Integer.toString(threads), "--run-dir", sdir.toString(), "--data-dir", data.toString()));
            if (localCluster) {
                a.add("--local-cluster");
            }
            if (!resume) {
                a.addAll(fixedArgs);
            }
            say(String.format(Locale.ROOT, "%s: %d trainings of %d epoch%s on %d worker%s%s", what, variants.size(),
                    epochs, epochs == 1 ? "" : "s", workers, workers == 1 ? "" : "s", resume ? " (continuing)" : ""));
            SearchCommand search = new SearchCommand();
            CommandLine cl = new CommandLine(search);
            cl.parseArgs(a.toArray(String[]::new));
            search.call();
            trainings += variants.size();
            return read(sdir, variants, choices);
        }

        private List<Training> read(Path sdir, List<Variant> variants, List<String> choices) throws IOException {
            List<String> rows = Files.readAllLines(sdir.resolve("trials.csv"), StandardCharsets.UTF_8);
            List<String> header = List.of(rows.get(0).split(",", -1));
            int vi = header.indexOf(SearchCommand.VARIANT);
            int si = header.indexOf("status");
            Training[] out = new Training[variants.size()];
            for (String row : rows.subList(1, rows.size())) {
                String[] c = row.split(",", -1);
                int t = Integer.parseInt(c[0]);
                int k = choices.indexOf(c[vi]);
                if (k < 0) {
                    throw new IllegalStateException(sdir.resolve("trials.csv") + ": trial " + t + " ran '" + c[vi]
                            + "', not one of this study's variants (a directory of another study?)");
                }
                List<Map<String, Object>> epochs = new ArrayList<>();
                Path m = sdir.resolve("trials").resolve(String.format(Locale.ROOT, "%04d", t)).resolve("seed-0")
                        .resolve("metrics.jsonl");
                if (Files.exists(m)) {
                    for (String l : Files.readAllLines(m, StandardCharsets.UTF_8)) {
                        if (!l.isBlank()) {
                            epochs.add(JsonCodec.readObject(l));
                        }
                    }
                }
                // A study reads whole trainings (a diverged one, which some studies expect, is whole up to its end).
                if (!c[si].equals("completed") && !c[si].equals("diverged")) {
                    throw new IllegalStateException("training '" + variants.get(k).label() + "' ended " + c[si]
                            + " (see " + sdir.resolve("trials.csv") + "): the study's findings need every training; "
                            + "run the study again with the same --run-dir to continue it");
                }
                out[k] = new Training(variants.get(k).label(), c[si], epochs);
            }
            for (int k = 0; k < out.length; k++) {
                if (out[k] == null) {
                    throw new IllegalStateException("training '" + variants.get(k).label() + "' has no result in "
                            + sdir.resolve("trials.csv"));
                }
            }
            return List.of(out);
        }

        @Override
        public Path trainHere(String what, List<String> args) throws Exception {
            Path rdir = dir.resolve("trainings").resolve(what);
            Path summary = rdir.resolve("summary.json");
            if (Files.exists(summary)
                    && "completed".equals(JsonCodec.readObject(Files.readString(summary)).get("status"))) {
                say(what + ": already trained in " + rdir);
                return rdir;
            }
            List<String> a = new ArrayList<>(args);
            a.addAll(List.of("--workers", "0", "--threads", Integer.toString(Math.max(threads, workers)), "--seed",
                    Long.toString(seed), "--run-dir", rdir.toString(), "--data-dir", data.toString(), "--quiet",
                    "--no-plots"));
            if (Files.exists(rdir.resolve("checkpoints"))) {
                a.add("--resume");
            }
            say(what + ": training here (" + String.join(" ", args) + ")");
            TrainCommand tc = new TrainCommand();
            new CommandLine(tc).parseArgs(a.toArray(String[]::new));
            tc.call();
            return rdir;
        }
    }
}

package dptrain.cli;

import dptrain.data.Dataset;
import dptrain.data.Mnist;
import dptrain.data.Split;
import dptrain.nn.Model;
import dptrain.train.Checkpoint;
import dptrain.train.Evaluator;
import dptrain.train.LocalShardExecutor;
import dptrain.train.RunDirectory;
import dptrain.train.ShardExecutor;
import dptrain.train.ShardPlan;
import dptrain.train.TrainConfig;
import dptrain.train.TrainListener;
import dptrain.train.Trainer;
import dptrain.train.TrainingDivergedException;
import dptrain.train.TrainingSet;
import dptrain.util.Hashes;
import dptrain.util.JsonCodec;
import dptrain.worker.TrialRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import picocli.CommandLine;

/**
 * How a worker node runs a unit of a search: the trial's {@code train} command line parsed by {@code train}'s own
 * flags (so a trial computes exactly what {@code train} would with them), trained in-process with the test set left
 * out, in a scratch run directory that is removed afterwards. The coordinator keeps what matters: the epoch records
 * and checkpoints it is sent.
 */
final class TrialRun implements TrialRunner {
    /** Seconds between checkpoints shipped in the middle of a unit (one is always shipped at a pause). */
    static final double SHIP_EVERY_SECONDS = 5;

    /** What computes a unit's steps. */
    interface Executors {
        /** An executor for cfg's steps over train (the trial's training split); stop says when to give up. */
        ShardExecutor open(TrainConfig cfg, Model model, Dataset train, BooleanSupplier stop);
    }

    /** A worker's own threads: --threads of them, as {@code train --workers 0}. */
    static final Executors LOCAL = (cfg, model, train, stop) -> new LocalShardExecutor(model, cfg.threads(),
            ShardPlan.maxShard(cfg.batchSize(), cfg.virtualShards()));

    private final Path dataDir;
    private final String fingerprint;
    private final Executors executors;

    /** Units trained on this node's own threads. */
    TrialRun(Path dataDir) {
        this(dataDir, LOCAL);
    }

    /** Units whose steps the given executors compute (a group of workers, for --workers-per-trial). */
    TrialRun(Path dataDir, Executors executors) {
        if (SWEPT.compareAndSet(false, true)) { // once per JVM: a search makes a TrialRun per group unit
            removeOrphanScratch();
        }
        this.dataDir = dataDir;
        this.fingerprint = TrainingSet.mnist(dataDir).train().fingerprint();
        this.executors = executors;
    }

    /** train's flags parsed from args, naming a bad one. */
    static TrainCommand parse(List<String> args) {
        TrainCommand tc = new TrainCommand();
        try {
            new CommandLine(tc).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        return tc;
    }

    @Override
    public String mnistFingerprint() {
        return fingerprint;
    }

    @Override
    public Outcome run(String[] args, int epoch, byte[] resume, Events events, BooleanSupplier stop) throws Exception {
        TrainConfig cfg = parse(List.of(args)).config();
        Mnist mnist = TrainingSet.mnist(dataDir);
        Split split = TrainingSet.split(mnist, cfg.trainSamples(), cfg.validationFraction(), cfg.seed());
        Dataset noTest = mnist.test().subset(new int[0], "none");
        Model model = new Model(cfg.net());
        Path dir = scratchDir();
        try (RunDirectory run = new RunDirectory(dir);
             ShardExecutor ex = executors.open(cfg, model, split.train(), stop)) {
            Checkpoint from = null;
            if (resume != null) {
                Files.write(run.latestCheckpoint(), resume);
                from = Checkpoint.read(run.latestCheckpoint());
            }
            long[] lastShip = {System.nanoTime()};
            long[] shipAt = {-1};
            int logEvery = cfg.logEvery();
            List<List<Double>> stepLosses = new java.util.ArrayList<>();
            @SuppressWarnings("unchecked")
            Map<String, Object>[] lastEpoch = new Map[1];
            List<TrainListener> listeners = List.of(new TrainListener() {
                @Override
                public void onStep(long step, double loss, float lr, double trainSeconds) {
                    if (stop.getAsBoolean()) {
                        throw new CancellationException("stopped");
                    }
                    if ((step + 1) % logEvery == 0) {
                        stepLosses.add(List.of((double) (step + 1), loss));
                    }
                }

                @Override
                public void onEpoch(Map<String, Object> record) {
                    lastEpoch[0] = record;
                    // The losses of every --log-every-th step of this epoch travel with it (a study's loss curves).
                    Map<String, Object> withLosses = new LinkedHashMap<>(record);
                    withLosses.put("step_losses", List.copyOf(stepLosses));
                    stepLosses.clear();
                    events.epoch(JsonCodec.write(withLosses));
                    long step = ((Number) record.get("step")).longValue();
                    if (step == shipAt[0]) {
                        try {
                            events.checkpoint(step, Files.readAllBytes(run.latestCheckpoint()));
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        lastShip[0] = System.nanoTime();
                    }
                }
            });
            Trainer trainer = new Trainer(cfg, split.train(), split.validation(), noTest, ex, run, listeners);
            // A checkpoint is written (and then shipped by onEpoch) only at the first epoch end SHIP_EVERY_SECONDS
            // after the last one shipped; the trainer writes one at the pause or the end by itself.
            trainer.checkpointAtEpochEnds(step -> {
                if ((System.nanoTime() - lastShip[0]) / 1e9 >= SHIP_EVERY_SECONDS) {
                    shipAt[0] = step;
                    return true;
                }
                return false;
            });
            long stopAt = (long) epoch * trainer.stepsPerEpoch();
            if (from != null && from.step() >= stopAt) {
                // The checkpoint of the pause itself (the coordinator stopped before it heard the unit end): score it.
                return new Outcome("ok", JsonCodec.write(scoreOf(model, cfg, from, split.validation())), null);
            }
            Map<String, Object> s;
            try {
                s = trainer.run(from, stopAt);
            } catch (TrainingDivergedException e) {
                Map<String, Object> d = Files.exists(run.summaryFile())
                        ? JsonCodec.readObject(Files.readString(run.summaryFile())) : new LinkedHashMap<>();
                return new Outcome("diverged", JsonCodec.write(d), e.getMessage());
            }
            s.put("validation_loss", lastEpoch[0] == null ? null : lastEpoch[0].get("validation_loss"));
            if (stopAt < trainer.totalSteps()) {
                events.checkpoint(stopAt, Files.readAllBytes(run.latestCheckpoint()));
            }
            return new Outcome("ok", JsonCodec.write(s), null);
        } finally {
            deleteTree(dir);
        }
    }

    private static Map<String, Object> scoreOf(Model model, TrainConfig cfg, Checkpoint c, Dataset validation) {
        try (Evaluator ev = new Evaluator(model, cfg.threads())) {
            Evaluator.Score sc = ev.score(c.params(), c.state(), validation, 0);
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("status", "paused");
            s.put("validation_accuracy", sc.accuracy());
            s.put("validation_loss", sc.loss());
            s.put("steps", c.step());
            s.put("params_sha256", Hashes.sha256(c.params()));
            return s;
        }
    }

    /**
     * A unit's scratch run directory, in memory (/dev/shm) where there is one: nobody reads it after the unit, so
     * the trainer's writes (each synced to disk for a real run) need not wait for a disk.
     */
    private static Path scratchDir() throws IOException {
        Path shm = Path.of("/dev/shm");
        String prefix = SCRATCH_PREFIX + ProcessHandle.current().pid() + "-";
        if (Files.isDirectory(shm) && Files.isWritable(shm) && shm.toFile().getUsableSpace() >= SHM_MIN_FREE) {
            try {
                return Files.createTempDirectory(shm, prefix);
            } catch (IOException e) {
                // not allowed: the default temporary directory serves as well
            }
        }
        return Files.createTempDirectory(prefix);
    }

    private static final java.util.concurrent.atomic.AtomicBoolean SWEPT = new java.util.concurrent.atomic.AtomicBoolean();

    /** Scratch directories start with this and the JVM's pid, so those of a killed JVM can be told and removed. */
    private static final String SCRATCH_PREFIX = "dptrain-trial-";
    /** /dev/shm is used while it has this much room (a small container's is 64 MB and holds Aeron's terms too). */
    private static final long SHM_MIN_FREE = 256L << 20;

    /** Removes the scratch directories that JVMs no longer running left behind (killed mid-unit). */
    static void removeOrphanScratch() {
        for (Path base : List.of(Path.of("/dev/shm"), Path.of(System.getProperty("java.io.tmpdir")))) {
            try (var dirs = Files.newDirectoryStream(base, SCRATCH_PREFIX + "*")) {
                for (Path d : dirs) {
                    String rest = d.getFileName().toString().substring(SCRATCH_PREFIX.length());
                    int dash = rest.indexOf('-');
                    try {
                        long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                        if (ProcessHandle.of(pid).isEmpty()) {
                            deleteTree(d);
                        }
                    } catch (NumberFormatException e) {
                        // not one of ours
                    }
                }
            } catch (IOException | RuntimeException e) {
                // best effort: leftovers only cost space
            }
        }
    }

    static void deleteTree(Path dir) {
        dptrain.util.FileTrees.deleteQuietly(dir); // scratch space: nothing is lost
    }
}

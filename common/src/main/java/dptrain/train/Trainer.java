package dptrain.train;

import dptrain.data.Dataset;
import dptrain.nn.Model;
import dptrain.nn.layers.CounterRandom;
import dptrain.nn.optim.Optimizer;
import dptrain.nn.optim.Optimizers;
import dptrain.util.Hashes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The training loop: epoch → seeded permutation → batch → K virtual shards (computed by a {@link ShardExecutor})
 * → {@link ParameterServer} update. Logs steps and epochs to the run directory, checkpoints atomically, stops on
 * a non-finite loss, and writes summary.json at the end.
 */
public final class Trainer {
    private final TrainConfig cfg;
    private final Model model;
    private final Dataset train;
    private final Dataset validation;
    private final Dataset test;
    private final ShardExecutor executor;
    private final RunDirectory run;
    private final List<TrainListener> listeners;
    private final Map<String, Object> extraSummary = new LinkedHashMap<>();
    private java.util.function.LongPredicate checkpointAtEpochEnd = step -> true;

    /** A trainer over the given data; validation may be empty (size 0). */
    public Trainer(TrainConfig cfg, Dataset train, Dataset validation, Dataset test, ShardExecutor executor,
                   RunDirectory run, List<TrainListener> listeners) {
        this.cfg = cfg;
        this.model = new Model(cfg.net());
        this.train = train;
        this.validation = validation;
        this.test = test;
        this.executor = executor;
        this.run = run;
        this.listeners = listeners;
        if (train.size() < cfg.batchSize()) {
            throw new dptrain.util.InvalidSetting("batch_size", cfg.batchSize(),
                    "at most the number of training samples, " + train.size());
        }
        if (train.sampleSize() != model.inputSize()) {
            throw new IllegalArgumentException("the data has " + train.sampleSize() + " values per sample, the "
                    + cfg.model() + " network expects " + model.inputSize());
        }
    }

    /**
     * Which epoch ends (and the run's last step) write a checkpoint, given the step just done; every one unless set.
     * A pause and {@code --checkpoint-every} always write one. A search's trial, whose scratch directory nobody
     * reads, writes one only when it is about to ship it to the coordinator.
     */
    public void checkpointAtEpochEnds(java.util.function.LongPredicate due) {
        this.checkpointAtEpochEnd = due;
    }

    /** Adds a field to summary.json (e.g. which BLAS ran). */
    public void addSummaryField(String key, Object value) {
        extraSummary.put(key, value);
    }

    /** The seeded permutation of the training indices for one epoch: the same on every node. */
    public static int[] permutation(int n, long seed, long epoch) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(CounterRandom.mix(seed) ^ CounterRandom.mix(epoch + 0x632BE59BD9B4E019L));
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Full batches per epoch (a remainder smaller than a batch is left out of that epoch). */
    public int stepsPerEpoch() {
        return train.size() / cfg.batchSize();
    }

    /** Steps of the whole run. */
    public long totalSteps() {
        return cfg.maxSteps() > 0 ? cfg.maxSteps() : (long) cfg.epochs() * stepsPerEpoch();
    }

    /** Runs from the start, or from the checkpoint when resume is non-null; returns the summary. */
    public Map<String, Object> run(Checkpoint resume) throws IOException {
        return run(resume, Long.MAX_VALUE);
    }

    /**
     * Like {@link #run(Checkpoint)}, but pauses after step stopAt (a search's rung): the checkpoint of that step is
     * written, and the summary says "paused". Resuming from it later gives the bits of a run never paused, since the
     * schedule and the permutations depend on the full run's length, not on where it stops.
     */
    public Map<String, Object> run(Checkpoint resume, long stopAt) throws IOException {
        long wallStart = System.nanoTime();
        float[] params;
        float[] state;
        Optimizer opt = Optimizers.create(cfg.optimizer(), cfg.momentum(), cfg.rmsDecay(), cfg.beta1(), cfg.beta2());
        long startStep = 0;
        double trainSeconds = 0;
        double epochLossSum = 0;
        int epochSteps = 0;
        double lastFinite = Double.NaN;
        if (resume != null) {
            checkResumable(resume);
            params = resume.params();
            state = resume.state();
            opt.restore(resume.optimizerSteps(), resume.optimizerState());
            startStep = resume.step();
            trainSeconds = resume.trainSeconds();
            epochLossSum = resume.epochLossSum();
            epochSteps = resume.epochSteps();
            lastFinite = resume.lastFiniteLoss();
        } else {
            params = model.initialParams(cfg.seed());
            state = model.initialState();
        }
        ParameterServer ps = new ParameterServer(model, params, state, opt, cfg.weightDecay(),
                executor.pool(), cfg.wirePrecision());
        Map<String, Object> config = cfg.toMap();
        config.put("net_params", model.paramCount());
        run.writeJson("config.json", config);
        run.openMetrics(resume != null, startStep);

        int spe = stepsPerEpoch();
        long total = totalSteps();
        int b = cfg.batchSize();
        int k = cfg.virtualShards();
        ShardResult[] results = new ShardResult[k];
        for (int i = 0; i < k; i++) {
            results[i] = new ShardResult(model.paramCount(), model.stateCount());
        }
        for (TrainListener l : listeners) {
            l.onStart(startStep, total, spe, b);
        }
        Map<String, Object> lastEpoch = null;
        Evaluator eval = new Evaluator(model, executor.pool());
        try {
            int[] perm = null;
            long permEpoch = -1;
            int[] batch = new int[b];
            double windowSeconds = 0;
            double windowApplySeconds = 0;
            int windowSteps = 0;
            long end = Math.min(total, stopAt);
            for (long t = startStep; t < end; t++) {
                long epoch = t / spe;
                int pos = (int) (t % spe);
                if (permEpoch != epoch) {
                    perm = permutation(train.size(), cfg.seed(), epoch);
                    permEpoch = epoch;
                }
                System.arraycopy(perm, pos * b, batch, 0, b);
                float lr = cfg.schedule().at(cfg.lr(), t, spe, total);
                long t0 = System.nanoTime();
                double loss = executor.step(ps, train, batch, b, cfg.seed(), t, lr, results);
                long t2 = System.nanoTime();
                double dt = (t2 - t0) / 1e9;
                windowApplySeconds += ps.stepApplyNanos() / 1e9;
                trainSeconds += dt;
                windowSeconds += dt;
                windowSteps++;
                if (!Double.isFinite(loss)) {
                    String msg = "training diverged at step " + (t + 1) + " (epoch " + (epoch + 1) + "): the loss is "
                            + loss + "; the last finite loss was " + (Double.isNaN(lastFinite) ? "none (first step)"
                            : String.format("%.6g", lastFinite)) + ". " + divergenceHint(ps);
                    run.flush();
                    Map<String, Object> s = summary(ps, trainSeconds, wallStart, t, lastEpoch, null);
                    s.put("status", "diverged");
                    s.put("error", msg);
                    run.writeJson("summary.json", s);
                    throw new TrainingDivergedException(msg);
                }
                lastFinite = loss;
                epochLossSum += loss;
                epochSteps++;
                for (TrainListener l : listeners) {
                    l.onStep(t, loss, lr, trainSeconds);
                }
                if ((t + 1) % cfg.logEvery() == 0) {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("type", "step");
                    r.put("step", t + 1);
                    r.put("epoch", epoch + 1);
                    r.put("loss", loss);
                    r.put("lr", (double) lr);
                    r.put("samples_per_second", windowSteps * (double) b / windowSeconds);
                    r.put("apply_ms", 1e3 * windowApplySeconds / windowSteps);
                    executor.describeStep(r);
                    run.log(r);
                    windowSeconds = 0;
                    windowApplySeconds = 0;
                    windowSteps = 0;
                }
                boolean epochEnd = pos == spe - 1;
                boolean last = t == total - 1 || t == end - 1;
                if (epochEnd || last) {
                    lastEpoch = epochRecord(eval, ps, t, epoch, epochLossSum / epochSteps, lr, trainSeconds);
                    run.log(lastEpoch);
                    epochLossSum = 0;
                    epochSteps = 0;
                }
                boolean periodic = cfg.checkpointEvery() > 0 && (t + 1) % cfg.checkpointEvery() == 0;
                boolean pause = t == end - 1 && end < total;
                if (pause || periodic || ((epochEnd || last) && checkpointAtEpochEnd.test(t + 1))) {
                    // The checkpoint comes before the listeners: a failing plot must not cost the epoch.
                    run.flush();
                    new Checkpoint(cfg.identity(), t + 1, trainSeconds, epochLossSum, epochSteps, lastFinite,
                            params, state, opt.steps(), opt.state()).write(run.latestCheckpoint());
                }
                if (epochEnd || last) {
                    for (TrainListener l : listeners) {
                        l.onEpoch(lastEpoch);
                    }
                }
            }
            Map<String, Object> s = summary(ps, trainSeconds, wallStart, end, lastEpoch, eval);
            if (end < total) {
                s.put("status", "paused");
            }
            run.writeJson("summary.json", s);
            for (TrainListener l : listeners) {
                l.onEnd(s);
            }
            return s;
        } finally {
            run.flush();
        }
    }

    /** What to try after a divergence: a smaller learning rate, or a wider wire format when fp16 overflowed. */
    private String divergenceHint(ParameterServer ps) {
        String lr = "a smaller --lr (now " + cfg.lr() + ")";
        if (ps.wireOverflow() && cfg.wirePrecision() == dptrain.tensor.WirePrecision.FP16) {
            return "With --wire-precision fp16 a gradient sum or parameter went beyond ±65504 and became infinite on "
                    + "the wire: try --wire-precision bf16 (float's range) or fp32, or " + lr + ".";
        }
        if (cfg.wirePrecision() != dptrain.tensor.WirePrecision.FP32) {
            return "Try " + lr + ", or --wire-precision fp32 (now " + cfg.wirePrecision() + ").";
        }
        return "Try " + lr + ".";
    }

    private void checkResumable(Checkpoint c) {
        // Both sides through JSON, so numbers compare the same way they were stored.
        Map<String, Object> now = dptrain.util.JsonCodec.readObject(dptrain.util.JsonCodec.write(cfg.identity()));
        StringBuilder diff = new StringBuilder();
        for (Map.Entry<String, Object> e : now.entrySet()) {
            Object was = c.identity().containsKey(e.getKey()) ? c.identity().get(e.getKey())
                    : TrainConfig.identityDefault(e.getKey());
            if (!java.util.Objects.equals(was, e.getValue())) {
                String what = switch (e.getKey()) {
                    case "net" -> "the network (--model, --hidden, --activation, --init, --batch-norm, --dropout)";
                    case "blas" -> "the BLAS library (-Ddptrain.blas)";
                    case "wire_precision" -> "--wire-precision (how gradients and parameters are rounded)";
                    default -> "--" + e.getKey().replace('_', '-');
                };
                diff.append("\n  ").append(what).append(": checkpoint has ").append(was)
                        .append(", now ").append(e.getValue());
            }
        }
        if (diff.length() > 0) {
            throw new IllegalArgumentException("cannot resume: the checkpoint was made with other settings (pass the "
                    + "same flags as the interrupted run):" + diff);
        }
        if (c.params().length != model.paramCount() || c.state().length != model.stateCount()) {
            throw new IllegalArgumentException("cannot resume: the checkpoint holds " + c.params().length
                    + " parameters, the network has " + model.paramCount());
        }
        if (c.step() >= totalSteps()) {
            throw new IllegalArgumentException("cannot resume: the run in this directory is already complete ("
                    + c.step() + " of " + totalSteps() + " steps); its results are in summary.json");
        }
    }

    private Map<String, Object> epochRecord(Evaluator eval, ParameterServer ps, long t, long epoch, double trainLoss,
                                            float lr, double trainSeconds) {
        Evaluator.Score tr = eval.score(ps.params(), ps.state(), train, cfg.evalTrainSamples());
        Evaluator.Score va = eval.score(ps.params(), ps.state(), validation, 0);
        Evaluator.Score te = eval.score(ps.params(), ps.state(), test, 0);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("type", "epoch");
        r.put("step", t + 1);
        r.put("epoch", (double) (t + 1) / stepsPerEpoch());
        r.put("train_loss", trainLoss);
        r.put("train_accuracy", tr.accuracy());
        r.put("validation_loss", va.loss());
        r.put("validation_accuracy", va.accuracy());
        r.put("test_loss", te.loss());
        r.put("test_accuracy", te.accuracy());
        r.put("lr", (double) lr);
        r.put("train_seconds", trainSeconds);
        r.put("samples_per_second", (t + 1) * (double) cfg.batchSize() / trainSeconds);
        return r;
    }

    private Map<String, Object> summary(ParameterServer ps, double trainSeconds, long wallStart, long steps,
                                        Map<String, Object> lastEpoch, Evaluator eval) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("status", "completed");
        s.put("model", cfg.model());
        s.put("test_accuracy", lastEpoch == null ? null : lastEpoch.get("test_accuracy"));
        s.put("validation_accuracy", lastEpoch == null ? null : lastEpoch.get("validation_accuracy"));
        s.put("train_accuracy", lastEpoch == null ? null : lastEpoch.get("train_accuracy"));
        s.put("test_loss", lastEpoch == null ? null : lastEpoch.get("test_loss"));
        s.put("final_train_loss", lastEpoch == null ? null : lastEpoch.get("train_loss"));
        s.put("epochs", (double) steps / stepsPerEpoch());
        s.put("steps", steps);
        s.put("train_samples", train.size());
        s.put("validation_samples", validation.size());
        s.put("test_samples", test.size());
        s.put("wall_seconds", (System.nanoTime() - wallStart) / 1e9);
        s.put("train_seconds", trainSeconds);
        s.put("samples_per_second", steps * (double) cfg.batchSize() / trainSeconds);
        s.put("params_sha256", Hashes.sha256(ps.params()));
        s.put("net_params", model.paramCount());
        s.put("config", cfg.toMap());
        s.putAll(extraSummary);
        executor.describeRun(s);
        return s;
    }
}

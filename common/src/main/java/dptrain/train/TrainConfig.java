package dptrain.train;

import dptrain.nn.NetSpec;
import dptrain.nn.optim.LrSchedule;
import dptrain.tensor.WirePrecision;
import dptrain.util.InvalidSetting;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that decides what a training run computes. Two runs with equal {@link #identity()} produce the same
 * parameters bit for bit, whatever their thread or worker counts.
 */
public record TrainConfig(
        String model, NetSpec net,
        String optimizer, float lr, float momentum, float rmsDecay, float beta1, float beta2,
        LrSchedule schedule, float weightDecay,
        int batchSize, int epochs, long maxSteps,
        long seed, int virtualShards, int trainSamples, double validationFraction, WirePrecision wirePrecision,
        int threads, int logEvery, int checkpointEvery, int evalTrainSamples) {

    /** Checks ranges, naming each bad value's setting as in config.json (the CLI maps it to its flag). */
    public TrainConfig {
        require(Float.isFinite(lr) && lr > 0, "lr", lr, "a positive number");
        require(Float.isFinite(weightDecay) && weightDecay >= 0, "weight_decay", weightDecay, "a number >= 0");
        require(momentum >= 0 && momentum < 1, "momentum", momentum, "a number in [0, 1)");
        require(rmsDecay > 0 && rmsDecay < 1, "rms_decay", rmsDecay, "a number in (0, 1)");
        require(beta1 >= 0 && beta1 < 1, "beta1", beta1, "a number in [0, 1)");
        require(beta2 >= 0 && beta2 < 1, "beta2", beta2, "a number in [0, 1)");
        require(batchSize >= 1, "batch_size", batchSize, "an integer >= 1");
        require(epochs >= 1, "epochs", epochs, "an integer >= 1");
        require(maxSteps >= 0, "steps", maxSteps, "an integer >= 0 (0: run the epochs)");
        require(virtualShards >= 1 && virtualShards <= Math.min(batchSize, 65535), "virtual_shards", virtualShards,
                "an integer from 1 to the batch size (" + batchSize + ")");
        if (net.layers().stream().anyMatch(l -> l instanceof dptrain.nn.LayerSpec.BatchNormSpec)) {
            require(batchSize / virtualShards >= 2, "virtual_shards", virtualShards,
                    "at most half the batch size (" + batchSize / 2 + ") with batch normalization: each shard "
                            + "normalizes over its own samples, and a one-sample shard has no variance");
        }
        require(trainSamples >= 0, "train_samples", trainSamples, "an integer >= 0 (0: all)");
        require(validationFraction >= 0 && validationFraction < 1, "validation_fraction", validationFraction,
                "a number in [0, 1)");
        require(wirePrecision != null, "wire_precision", wirePrecision, "fp32, bf16 or fp16");
        require(threads >= 1 && threads <= 256, "threads", threads, "an integer from 1 to 256");
        require(logEvery >= 1, "log_every", logEvery, "an integer >= 1");
        require(checkpointEvery >= 0, "checkpoint_every", checkpointEvery, "an integer >= 0 (0: at epoch ends)");
        require(evalTrainSamples >= 0, "eval_train_samples", evalTrainSamples, "an integer >= 0");
    }

    private static void require(boolean ok, String setting, Object value, String expected) {
        InvalidSetting.require(ok, setting, value, expected);
    }

    /**
     * The settings that decide the computed bits (not threads, logging or checkpoint frequency), including the run's
     * length and which BLAS computed it (another library rounds differently).
     */
    public Map<String, Object> identity() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("net", net.describe());
        m.put("optimizer", optimizer);
        m.put("lr", (double) lr);
        m.put("momentum", (double) momentum);
        m.put("rms_decay", (double) rmsDecay);
        m.put("beta1", (double) beta1);
        m.put("beta2", (double) beta2);
        m.put("lr_schedule", schedule.kind().name().toLowerCase(java.util.Locale.ROOT));
        if (schedule.kind() == LrSchedule.Kind.STEP || schedule.kind() == LrSchedule.Kind.EXPONENTIAL) {
            m.put("lr_gamma", schedule.gamma());
        }
        if (schedule.kind() == LrSchedule.Kind.STEP) {
            m.put("lr_step_epochs", schedule.every());
        }
        m.put("weight_decay", (double) weightDecay);
        m.put("batch_size", batchSize);
        m.put("seed", Long.toString(seed)); // as text: JSON numbers are doubles
        m.put("virtual_shards", virtualShards);
        m.put("train_samples", trainSamples);
        m.put("validation_fraction", validationFraction);
        // What shards compute with and contribute is rounded to it (fp32: nothing is).
        m.put("wire_precision", wirePrecision.toString());
        // The run's length: the cosine schedule depends on it, so a resumed run must keep it.
        m.put("epochs", epochs);
        m.put("steps", maxSteps);
        m.put("blas", dptrain.tensor.Blas.kind());
        return m;
    }

    /**
     * The value a checkpoint made before the setting existed stands for (such a run computed with it): a checkpoint
     * whose identity lacks the key is compared as if it held this value.
     */
    public static Object identityDefault(String key) {
        return key.equals("wire_precision") ? WirePrecision.FP32.toString() : null;
    }

    /** Every setting, for config.json and the summary. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = identity();
        m.put("threads", threads);
        m.put("log_every", logEvery);
        m.put("checkpoint_every", checkpointEvery);
        m.put("eval_train_samples", evalTrainSamples);
        return m;
    }
}

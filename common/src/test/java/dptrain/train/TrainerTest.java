package dptrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.data.Dataset;
import dptrain.nn.Init;
import dptrain.nn.Model;
import dptrain.nn.NetSpec;
import dptrain.nn.Nets;
import dptrain.nn.optim.LrSchedule;
import dptrain.tensor.WirePrecision;
import dptrain.util.JsonCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The single-process trainer: learning, thread-count independence, exact resume, divergence, config checks. */
class TrainerTest {
    @TempDir
    Path tmp;

    /** 28×28 images whose class is the brightest of ten vertical bands, plus noise: learnable, not trivial. */
    static Dataset bands(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * 784];
        int[] labels = new int[n];
        for (int s = 0; s < n; s++) {
            int c = r.nextInt(10);
            labels[s] = c;
            for (int y = 0; y < 28; y++) {
                for (int xx = 0; xx < 28; xx++) {
                    float v = (float) (0.3 * r.nextDouble());
                    if (xx / 3 == c) {
                        v += 0.6f;
                    }
                    x[s * 784 + y * 28 + xx] = v;
                }
            }
        }
        return Dataset.of("bands", x, labels, new int[] {784}, 10);
    }

    static TrainConfig config(String model, NetSpec net, String opt, float lr, int threads, int k, int epochs,
                              int checkpointEvery) {
        return config(model, net, opt, lr, threads, k, epochs, checkpointEvery, WirePrecision.FP32);
    }

    static TrainConfig config(String model, NetSpec net, String opt, float lr, int threads, int k, int epochs,
                              int checkpointEvery, WirePrecision wire) {
        return new TrainConfig(model, net, opt, lr, 0.9f, 0.99f, 0.9f, 0.999f,
                new LrSchedule(LrSchedule.Kind.STEP, 0.5, 1), 1e-4f, 20, epochs, 0, 7L, k, 0, 0.0, wire, threads, 2, checkpointEvery, 100);
    }

    private Map<String, Object> train(TrainConfig cfg, Path dir, Checkpoint resume, List<TrainListener> ls)
            throws IOException {
        Dataset train = bands(200, 1);
        Dataset test = bands(100, 2);
        Model m = new Model(cfg.net());
        try (LocalShardExecutor ex = new LocalShardExecutor(m, cfg.threads(), ShardPlan.maxShard(cfg.batchSize(),
                cfg.virtualShards()));
             RunDirectory run = new RunDirectory(dir)) {
            return new Trainer(cfg, train, Dataset.of("val", new float[0], new int[0], new int[] {784}, 10), test,
                    ex, run, ls).run(resume);
        }
    }

    @Test
    void learnsAndWritesTheRunDirectory() throws IOException {
        TrainConfig cfg = config("two-layer", Nets.twoLayer(30, Init.he()), "adam", 0.01f, 1, 2, 3, 0);
        Map<String, Object> s = train(cfg, tmp.resolve("run"), null, List.of());
        assertTrue((Double) s.get("test_accuracy") > 0.9, "test accuracy " + s.get("test_accuracy"));
        Map<String, Object> onDisk = JsonCodec.readObject(Files.readString(tmp.resolve("run/summary.json")));
        assertEquals(s.get("params_sha256"), onDisk.get("params_sha256"));
        assertEquals(3.0, onDisk.get("epochs"));
        assertTrue((Double) onDisk.get("samples_per_second") > 0);
        List<String> lines = Files.readAllLines(tmp.resolve("run/metrics.jsonl"));
        assertEquals(3, lines.stream().filter(l -> l.contains("\"type\":\"epoch\"")).count());
        assertEquals(15, lines.stream().filter(l -> l.contains("\"type\":\"step\"")).count());
        assertTrue(Files.exists(tmp.resolve("run/checkpoints/latest.ckpt")));
    }

    @Test
    void sameBitsForAnyThreadCount() throws IOException {
        NetSpec cnn = NetSpec.parse("in=28x28x1;conv(4,5,1,0);batchnorm;relu;maxpool(2,2,0);affine(20);relu;"
                + "dropout(0.3);affine(10);loss=softmax;init=he");
        for (NetSpec net : new NetSpec[] {Nets.twoLayer(30, Init.he()), cnn}) {
            Set<Object> hashes = new HashSet<>();
            for (int threads : new int[] {1, 2, 3}) {
                TrainConfig cfg = config("t", net, "momentum", 0.05f, threads, 4, 1, 0);
                hashes.add(train(cfg, tmp.resolve("t" + threads + net.hashCode()), null, List.of()).get("params_sha256"));
            }
            assertEquals(1, hashes.size(), "params_sha256 differs between thread counts for " + net + ": " + hashes);
        }
    }

    @Test
    void virtualShardCountIsPartOfTheResult() throws IOException {
        // With batch norm, statistics are per shard: K changes the computation (and so must be a job setting).
        NetSpec net = NetSpec.parse("in=784;affine(20);batchnorm;relu;affine(10);loss=softmax;init=he");
        Object k1 = train(config("t", net, "sgd", 0.1f, 1, 1, 1, 0), tmp.resolve("k1"), null, List.of()).get("params_sha256");
        Object k4 = train(config("t", net, "sgd", 0.1f, 1, 4, 1, 0), tmp.resolve("k4"), null, List.of()).get("params_sha256");
        assertNotEquals(k1, k4);
    }

    @Test
    void resumedRunEndsWithTheSameBits() throws IOException {
        NetSpec net = NetSpec.parse("in=784;affine(20);relu;dropout(0.2);affine(10);loss=softmax;init=he");
        TrainConfig cfg = config("t", net, "adam", 0.01f, 2, 3, 2, 4);
        Object whole = train(cfg, tmp.resolve("whole"), null, List.of()).get("params_sha256");

        Path dir = tmp.resolve("crashed");
        class Crash extends RuntimeException {}
        TrainListener crashAfterStep13 = new TrainListener() {
            @Override
            public void onStep(long step, double loss, float lr, double secs) {
                if (step == 13) {
                    throw new Crash();
                }
            }
        };
        assertThrows(Crash.class, () -> train(cfg, dir, null, List.of(crashAfterStep13)));
        Checkpoint ck = Checkpoint.read(dir.resolve("checkpoints/latest.ckpt"));
        assertEquals(12, ck.step(), "last checkpoint before the crash");
        Map<String, Object> s = train(cfg, dir, ck, List.of());
        assertEquals(whole, s.get("params_sha256"));
        // Nothing counted twice: every logged step appears once.
        List<String> steps = Files.readAllLines(dir.resolve("metrics.jsonl")).stream()
                .filter(l -> l.contains("\"type\":\"step\"")).toList();
        assertEquals(steps.size(), new HashSet<>(steps.stream().map(l -> JsonCodec.readObject(l).get("step")).toList()).size());
        assertEquals(10, steps.size());
        // metrics.csv holds the same records, cut back the same way: a header, then one row per JSON line.
        List<String> json = Files.readAllLines(dir.resolve("metrics.jsonl"));
        List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
        assertEquals(String.join(",", RunDirectory.CSV_COLUMNS), csv.get(0));
        assertEquals(json.size() + 1, csv.size());
        for (int i = 0; i < json.size(); i++) {
            Map<String, Object> r = JsonCodec.readObject(json.get(i));
            String[] cells = csv.get(i + 1).split(",", -1);
            assertEquals(RunDirectory.CSV_COLUMNS.size(), cells.length, csv.get(i + 1));
            assertEquals(String.valueOf(r.get("type")), cells[0]);
            assertEquals(String.valueOf(r.get("step")), cells[1]);
            Object loss = r.get("type").equals("step") ? r.get("loss") : r.get("train_loss");
            int col = RunDirectory.CSV_COLUMNS.indexOf(r.get("type").equals("step") ? "loss" : "train_loss");
            assertEquals(((Number) loss).doubleValue(), Double.parseDouble(cells[col]));
        }
    }

    @Test
    void resumeWithOtherSettingsIsRefusedAndNamesThem() throws IOException {
        NetSpec net = Nets.twoLayer(10, Init.he());
        TrainConfig cfg = config("t", net, "sgd", 0.1f, 1, 2, 1, 0);
        train(cfg, tmp.resolve("r"), null, List.of());
        Checkpoint ck = Checkpoint.read(tmp.resolve("r/checkpoints/latest.ckpt"));
        TrainConfig other = config("t", net, "sgd", 0.2f, 1, 2, 2, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> train(other, tmp.resolve("r"), ck, List.of()));
        assertTrue(e.getMessage().contains("--lr") && e.getMessage().contains("0.1"), e.getMessage());
    }

    @Test
    void aFinishedRunIsNotResumedAndKeepsItsSummary() throws IOException {
        NetSpec net = Nets.twoLayer(10, Init.he());
        TrainConfig cfg = config("t", net, "sgd", 0.1f, 1, 2, 1, 0);
        train(cfg, tmp.resolve("done"), null, List.of());
        String summary = Files.readString(tmp.resolve("done/summary.json"));
        Checkpoint ck = Checkpoint.read(tmp.resolve("done/checkpoints/latest.ckpt"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> train(cfg, tmp.resolve("done"), ck, List.of()));
        assertTrue(e.getMessage().contains("already complete"), e.getMessage());
        assertEquals(summary, Files.readString(tmp.resolve("done/summary.json")));
        // A longer run is another run: the cosine schedule, for one, depends on the length.
        TrainConfig longer = config("t", net, "sgd", 0.1f, 1, 2, 3, 0);
        e = assertThrows(IllegalArgumentException.class, () -> train(longer, tmp.resolve("done"), ck, List.of()));
        assertTrue(e.getMessage().contains("--epochs"), e.getMessage());
    }

    @Test
    void batchNormNeedsTwoSamplesPerShard() {
        NetSpec bn = NetSpec.parse("in=784;affine(20);batchnorm;relu;affine(10);loss=softmax;init=he");
        dptrain.util.InvalidSetting e = assertThrows(dptrain.util.InvalidSetting.class,
                () -> config("t", bn, "sgd", 0.1f, 1, 11, 1, 0));
        assertEquals("virtual_shards", e.setting());
        assertTrue(e.getMessage().contains("batch normalization"), e.getMessage());
        config("t", bn, "sgd", 0.1f, 1, 10, 1, 0); // 20 / 10 = 2 samples per shard: allowed
    }

    @Test
    void divergenceStopsNamingTheStep() throws IOException {
        NetSpec net = NetSpec.parse("in=784;affine(30);relu;affine(10);loss=squares;init=he");
        TrainConfig cfg = config("t", net, "sgd", 1e4f, 1, 1, 5, 0);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> train(cfg, tmp.resolve("nan"), null, List.of()));
        assertTrue(e.getMessage().matches("(?s)training diverged at step \\d+ .*last finite loss was .*"), e.getMessage());
        Map<String, Object> s = JsonCodec.readObject(Files.readString(tmp.resolve("nan/summary.json")));
        assertEquals("diverged", s.get("status"));
    }

    @Test
    void badSettingsNameTheirSetting() {
        NetSpec net = Nets.twoLayer(10, Init.he());
        dptrain.util.InvalidSetting e = assertThrows(dptrain.util.InvalidSetting.class,
                () -> config("t", net, "sgd", -1f, 1, 2, 1, 0));
        assertEquals("lr", e.setting());
        assertEquals("invalid value for --lr: -1.0 (expected a positive number)", e.message("--lr"));
        e = assertThrows(dptrain.util.InvalidSetting.class, () -> config("t", net, "sgd", 0.1f, 1, 21, 1, 0));
        assertEquals("virtual_shards", e.setting());
        e = assertThrows(dptrain.util.InvalidSetting.class, () -> config("t", net, "sgd", 0.1f, 0, 2, 1, 0));
        assertEquals("threads", e.setting());
    }

    /**
     * Bit reduction in the in-process trainer: bf16 and fp16 round what the shards compute with and contribute, so
     * the bits differ from fp32's, yet the network still learns; and they repeat exactly, for any thread count.
     */
    @Test
    void sixteenBitWireChangesTheBitsButStillLearnsAndRepeats() throws IOException {
        NetSpec cnn = NetSpec.parse("in=28x28x1;conv(4,5,1,0);relu;maxpool(2,2,0);affine(20);relu;"
                + "dropout(0.2);affine(10);loss=softmax;init=he");
        Map<String, Object> exact = train(config("t", cnn, "adam", 0.01f, 2, 4, 2, 0), tmp.resolve("fp32"), null,
                List.of());
        Object fp32 = exact.get("params_sha256");
        for (WirePrecision p : new WirePrecision[] {WirePrecision.BF16, WirePrecision.FP16}) {
            Set<Object> hashes = new HashSet<>();
            Map<String, Object> s = null;
            for (int threads : new int[] {1, 3, 3}) {
                Path dir = tmp.resolve(p + "-" + threads + "-" + hashes.size());
                s = train(config("t", cnn, "adam", 0.01f, threads, 4, 2, 0, p), dir, null, List.of());
                hashes.add(s.get("params_sha256"));
            }
            assertEquals(1, hashes.size(), p + ": params_sha256 differs between runs or thread counts: " + hashes);
            assertNotEquals(fp32, s.get("params_sha256"), p + " rounds nothing?");
            assertEquals(p.toString(), ((Map<?, ?>) s.get("config")).get("wire_precision"));
            // 20 steps: fp32 gets to a loss of 1.11 and 80 % test accuracy here.
            assertTrue((Double) s.get("test_accuracy") >= (Double) exact.get("test_accuracy") - 0.1,
                    p + ": test accuracy " + s.get("test_accuracy") + ", fp32's " + exact.get("test_accuracy"));
            assertTrue((Double) s.get("final_train_loss") < 0.6 * Math.log(10), p + ": final train loss "
                    + s.get("final_train_loss") + ", from ln 10 at the start");
        }
    }

    @Test
    void resumeWithAnotherWirePrecisionIsRefusedAndOldCheckpointsAreFp32() throws IOException {
        NetSpec net = Nets.twoLayer(10, Init.he());
        TrainConfig cfg = config("t", net, "sgd", 0.1f, 1, 2, 2, 5);
        class Crash extends RuntimeException {}
        TrainListener crash = new TrainListener() {
            @Override
            public void onStep(long step, double loss, float lr, double secs) {
                if (step == 6) {
                    throw new Crash();
                }
            }
        };
        assertThrows(Crash.class, () -> train(cfg, tmp.resolve("r"), null, List.of(crash)));
        Checkpoint ck = Checkpoint.read(tmp.resolve("r/checkpoints/latest.ckpt"));
        assertEquals("fp32", ck.identity().get("wire_precision"));
        TrainConfig bf16 = config("t", net, "sgd", 0.1f, 1, 2, 2, 5, WirePrecision.BF16);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> train(bf16, tmp.resolve("r"), ck, List.of()));
        assertTrue(e.getMessage().contains("--wire-precision") && e.getMessage().contains("checkpoint has fp32, now bf16"),
                e.getMessage());
        // A checkpoint from before the setting existed was computed in fp32, and resumes as such.
        Map<String, Object> old = new java.util.LinkedHashMap<>(ck.identity());
        old.remove("wire_precision");
        Checkpoint before = new Checkpoint(old, ck.step(), ck.trainSeconds(), ck.epochLossSum(), ck.epochSteps(),
                ck.lastFiniteLoss(), ck.params(), ck.state(), ck.optimizerSteps(), ck.optimizerState());
        assertThrows(IllegalArgumentException.class, () -> train(bf16, tmp.resolve("r"), before, List.of()));
        Object whole = train(cfg, tmp.resolve("whole"), null, List.of()).get("params_sha256");
        assertEquals(whole, train(cfg, tmp.resolve("r"), before, List.of()).get("params_sha256"));
    }

    /** fp16 ends at 65504: a gradient sum beyond it is infinite on the wire, and the stop says so. */
    @Test
    void fp16OverflowStopsNamingTheWirePrecision() throws IOException {
        NetSpec net = NetSpec.parse("in=784;affine(30);relu;affine(10);loss=squares;init=std:30");
        TrainConfig cfg = config("t", net, "sgd", 0.01f, 1, 1, 5, 0, WirePrecision.FP16);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> train(cfg, tmp.resolve("fp16"), null, List.of()));
        assertTrue(e.getMessage().contains("--wire-precision fp16") && e.getMessage().contains("65504")
                && e.getMessage().contains("--wire-precision bf16"), e.getMessage());
    }
}

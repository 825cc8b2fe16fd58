package dptrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dptrain.cli.Cli.concat;
import static org.junit.jupiter.api.Assertions.fail;

import dptrain.train.Checkpoint;
import dptrain.util.JsonCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer on real MNIST through the command line: the same bits for any thread count, the same bits after a
 * kill -9 and --resume, and the run directory a user gets.
 */
class MnistTrainingTest {
    @TempDir
    Path tmp;

    static Path data;

    @BeforeAll
    static void fetchMnist() {
        data = FetchMnistCommand.ensureMnist(null);
    }

    private static List<String> args(Path runDir, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data-dir", data.toString(), "--run-dir", runDir.toString(),
                "--seed", "3", "--quiet", "--eval-train-samples", "500", "--workers", "0"));
        a.addAll(List.of(extra));
        return a;
    }

    private static Map<String, Object> train(Path runDir, String... extra) throws IOException {
        Cli.Result r = Cli.run(args(runDir, extra).toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        return JsonCodec.readObject(Files.readString(runDir.resolve("summary.json")));
    }

    @Test
    void sameParamsForOneAndTwoThreads() throws IOException {
        String[] cnn = {"--model", "simple-cnn", "--train-samples", "1000", "--epochs", "1", "--virtual-shards", "4"};
        Object one = train(tmp.resolve("t1"), concat(cnn, "--threads", "1")).get("params_sha256");
        Object two = train(tmp.resolve("t2"), concat(cnn, "--threads", "2")).get("params_sha256");
        assertNotNull(one);
        assertEquals(one, two, "simple-cnn params_sha256 for --threads 1 and 2");
        String[] mlp = {"--model", "multi-layer", "--hidden", "40,30", "--batch-norm", "--dropout", "0.2",
                "--train-samples", "2000", "--epochs", "1", "--virtual-shards", "3"};
        assertEquals(train(tmp.resolve("m1"), concat(mlp, "--threads", "1")).get("params_sha256"),
                train(tmp.resolve("m2"), concat(mlp, "--threads", "2")).get("params_sha256"),
                "multi-layer (batch norm, dropout) params_sha256 for --threads 1 and 2");
    }

    /**
     * alexnet-small (LRN, dropout, He by default) trains to the same bits on one and two threads, and its run records
     * the net with its LRN layers, so a checkpoint or a worker rebuilds the same network from the text.
     */
    @Test
    void alexnetSmallSameParamsForOneAndTwoThreads() throws IOException {
        String[] alex = {"--model", "alexnet-small", "--train-samples", "400", "--epochs", "1", "--virtual-shards", "4"};
        Path run = tmp.resolve("a1");
        Object one = train(run, concat(alex, "--threads", "1")).get("params_sha256");
        assertNotNull(one);
        assertEquals(one, train(tmp.resolve("a2"), concat(alex, "--threads", "2")).get("params_sha256"),
                "alexnet-small params_sha256 for --threads 1 and 2");
        String config = Files.readString(run.resolve("config.json"));
        assertTrue(config.contains(dptrain.nn.Nets.alexnetSmall(dptrain.nn.Init.he()).describe()), config);
    }

    @Test
    void runDirectoryHoldsWhatTheUserNeeds() throws IOException {
        Path run = tmp.resolve("run");
        Map<String, Object> s = train(run, "--model", "two-layer", "--init", "he", "--train-samples", "5000",
                "--epochs", "2", "--validation-fraction", "0.1");
        for (String key : List.of("test_accuracy", "validation_accuracy", "epochs", "wall_seconds", "samples_per_second",
                "params_sha256")) {
            assertNotNull(s.get(key), "summary.json lacks " + key);
        }
        assertEquals(4500, s.get("train_samples"));
        assertEquals(500, s.get("validation_samples"));
        assertTrue((Double) s.get("test_accuracy") > 0.8, "two epochs on 4500 images: " + s.get("test_accuracy"));
        assertTrue(Files.size(run.resolve("plots/accuracy.png")) > 1000);
        assertTrue(Files.size(run.resolve("plots/loss.png")) > 1000);
        Cli.Result eval = Cli.run("eval", "--checkpoint", run.toString(), "--data-dir", data.toString());
        assertEquals(0, eval.exit(), eval.err());
        Map<String, Object> e = JsonCodec.readObject(eval.out().trim());
        assertEquals(s.get("test_accuracy"), e.get("test_accuracy"));
        assertEquals(s.get("params_sha256"), e.get("params_sha256"));
        // A second run into the same directory is refused rather than overwriting it.
        Cli.Result again = Cli.run(args(run, "--model", "two-layer").toArray(String[]::new));
        assertEquals(2, again.exit());
        assertTrue(again.err().contains("already holds a run"), again.err());
    }

    @Test
    void killedRunResumesToTheSameParams() throws Exception {
        String[] flags = {"--model", "simple-cnn", "--train-samples", "6000", "--epochs", "2", "--virtual-shards", "2",
                "--checkpoint-every", "5", "--threads", "1"};
        Object whole = train(tmp.resolve("whole"), flags).get("params_sha256");

        Path run = tmp.resolve("killed");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens", "java.base/java.util.zip=ALL-UNNAMED", "-Djava.awt.headless=true",
                "-cp", System.getProperty("java.class.path"), "dptrain.cli.Main"));
        cmd.addAll(args(run, flags));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("killed.log").toFile())
                .start();
        Path ckpt = run.resolve("checkpoints/latest.ckpt");
        long deadline = System.nanoTime() + 120_000_000_000L;
        long step = 0;
        while (System.nanoTime() < deadline && p.isAlive()) {
            if (Files.exists(ckpt)) {
                step = Checkpoint.read(ckpt).step();
                if (step >= 20) {
                    break;
                }
            }
            Thread.sleep(20);
        }
        if (!p.isAlive()) {
            fail("the run ended before it could be killed: " + Files.readString(tmp.resolve("killed.log")));
        }
        p.destroyForcibly().waitFor(); // SIGKILL: no shutdown hooks, nothing flushed
        assertTrue(step >= 20 && step < 120, "killed at checkpoint step " + step);
        assertTrue(!Files.exists(run.resolve("summary.json")), "a killed run has no summary");

        Map<String, Object> resumed = train(run, concat(flags, "--resume"));
        assertEquals(whole, resumed.get("params_sha256"), "resumed after kill -9 at step >= " + step);
        List<String> steps = Files.readAllLines(run.resolve("metrics.jsonl")).stream()
                .filter(l -> l.contains("\"type\":\"step\"")).toList();
        assertEquals(12, steps.size(), "120 steps logged every 10, each once");
    }
}

package dptrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.util.JsonCodec;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every study of `dptrain experiment`, in its quick form on two in-JVM workers: it finishes, draws its plots, writes
 * its CSV, and reproduces the book's findings as checked on its numbers; the same study on one worker gives the same
 * numbers; bad names and settings are named.
 */
class ExperimentTest {
    @TempDir
    Path tmp;

    /** Runs the study --quick in tmp/dirName with more flags; its summary.json. */
    private Map<String, Object> run(String dirName, String study, String... more) throws Exception {
        Path dir = tmp.resolve(dirName);
        String[] args = Cli.concat(new String[] {"experiment", study, "--quick", "--run-dir", dir.toString()}, more);
        Cli.Result r = Cli.run(args);
        assertEquals(0, r.exit(), r.err());
        Map<String, Object> s = JsonCodec.readObject(Files.readString(dir.resolve("summary.json")));
        assertTrue(Files.readString(dir.resolve("summary.txt")).contains("The book's findings"));
        return s;
    }

    @ParameterizedTest
    @ValueSource(strings = {"perceptron", "optimizers", "weight-init", "batch-norm", "overfitting", "filters"})
    void aStudyReproducesTheBooksFindingsAndDrawsThem(String study) throws Exception {
        Map<String, Object> s = run(study, study);
        Path dir = tmp.resolve(study);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> findings = (List<Map<String, Object>>) s.get("findings");
        assertFalse(findings.isEmpty());
        for (Map<String, Object> f : findings) {
            assertEquals(true, f.get("reproduced"), study + ": " + f.get("claim") + " — measured " + f.get("measured"));
        }
        assertEquals(true, s.get("reproduced"));
        @SuppressWarnings("unchecked")
        List<String> plots = (List<String>) s.get("plots");
        assertFalse(plots.isEmpty(), study + " drew no plot");
        for (String p : plots) {
            BufferedImage img = ImageIO.read(dir.resolve("plots").resolve(p).toFile());
            assertTrue(img.getWidth() >= 300 && img.getHeight() >= 200, p + " is " + img.getWidth() + "×" + img.getHeight());
        }
        try (var files = Files.list(dir)) {
            assertTrue(files.anyMatch(f -> f.toString().endsWith(".csv")), study + " wrote no CSV");
        }
    }

    @Test
    void oneWorkerGivesTheNumbersOfTwo() throws Exception {
        run("w1", "weight-init", "--workers", "1");
        run("w2", "weight-init", "--workers", "2");
        String one = Files.readString(tmp.resolve("w1").resolve("weight-init-mnist-loss.csv"));
        String two = Files.readString(tmp.resolve("w2").resolve("weight-init-mnist-loss.csv"));
        assertTrue(one.lines().count() > 50, one);
        assertEquals(one, two);
    }

    @Test
    void badStudiesAndSettingsAreNamed() {
        Cli.Result r = Cli.run("experiment", "optimisers", "--run-dir", tmp.resolve("x").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown study 'optimisers'") && r.err().contains("optimizers"), r.err());
        r = Cli.run("experiment", "--run-dir", tmp.resolve("y").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("missing study"), r.err());
        r = Cli.run("experiment", "batch-norm", "--workers", "0", "--run-dir", tmp.resolve("z").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--workers"), r.err());
        // A run directory holds one study at one scale and seed: another is refused before anything runs.
        Path dir = tmp.resolve("p");
        assertEquals(0, Cli.run("experiment", "perceptron", "--run-dir", dir.toString()).exit());
        r = Cli.run("experiment", "optimizers", "--quick", "--run-dir", dir.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("holds the study perceptron --seed 1"), r.err());
        assertEquals(0, Cli.run("experiment", "perceptron", "--run-dir", dir.toString()).exit(), "the same study again");
        r = Cli.run("experiment", "--list");
        assertEquals(0, r.exit());
        for (String s : new String[] {"perceptron", "optimizers", "weight-init", "batch-norm", "overfitting", "filters"}) {
            assertTrue(r.out().contains(s), r.out());
        }
    }
}

package dptrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A diverging run (NaN/Inf loss) stops and says so, through the command line a user runs: exit code 3, the step
 * named, summary.json marked "diverged"; in process and on a cluster alike. A search marks such a trial diverged
 * and goes on.
 */
class DivergenceTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"0", "2"})
    void divergingTrainingExitsWith3AndSaysWhere(String workers) throws Exception {
        Path dir = tmp.resolve("w" + workers);
        Cli.Result r = Cli.run("train", "--model", "two-layer", "--hidden", "20", "--optimizer", "sgd", "--lr", "1e12",
                "--steps", "30", "--workers", workers, "--quiet", "--no-plots", "--run-dir", dir.toString());
        assertEquals(Main.DIVERGED, r.exit(), r.err());
        assertTrue(r.err().contains("training diverged at step"), r.err());
        assertTrue(r.err().contains("Try a smaller --lr"), r.err());
        Map<String, Object> s = ChildJvms.summary(dir);
        assertEquals("diverged", s.get("status"));
    }

    @Test
    void searchMarksDivergedTrialsAndGoesOn() throws Exception {
        Path dir = tmp.resolve("search");
        Cli.Result r = Cli.run("search", "--model", "two-layer", "--hidden", "20", "--optimizer", "sgd",
                "--train-samples", "1000", "--batch-size", "50", "--param", "lr=log-uniform:1e-2:1e14", "--strategy", "grid",
                "--grid-points", "3", "--trials", "3", "--epochs", "1", "--workers", "1", "--quiet", "--no-final", "--run-dir", dir.toString());
        assertEquals(0, r.exit(), r.err());
        List<String> rows = Files.readAllLines(dir.resolve("trials.csv"));
        long diverged = rows.stream().filter(l -> l.contains(",diverged,")).count();
        long completed = rows.stream().filter(l -> l.contains(",completed,")).count();
        // lr 1e-2 and 1e6 end with finite losses (1e6 with a dead network); 1e14 overflows at step 3.
        assertEquals(1, diverged, String.join("\n", rows));
        assertEquals(2, completed, String.join("\n", rows));
        assertTrue(rows.stream().filter(l -> l.contains(",diverged,")).allMatch(l -> l.contains("diverged at step")),
                "a diverged trial says at which step:\n" + String.join("\n", rows));
    }
}

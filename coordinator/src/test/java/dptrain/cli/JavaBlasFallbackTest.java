package dptrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When no native OpenBLAS loads, training still runs on the pure-Java BLAS and says so once. */
class JavaBlasFallbackTest {
    @TempDir
    Path tmp;

    @Test
    void trainsOnThePureJavaBlasAndWarnsOnce() throws Exception {
        Path data = FetchMnistCommand.ensureMnist(null);
        // Asking for the system library without pinning it to one thread makes the native path fail on purpose.
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Ddptrain.blas=system", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                "dptrain.cli.Main", "train", "--model", "two-layer", "--train-samples", "500", "--steps", "5", "--workers", "0",
                "--data-dir", data.toString(), "--run-dir", tmp.resolve("run").toString(), "--quiet", "--no-plots")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("out.log").toFile());
        pb.environment().remove("OPENBLAS_NUM_THREADS");
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "training on the Java BLAS did not finish");
        String out = Files.readString(tmp.resolve("out.log"));
        assertEquals(0, p.exitValue(), out);
        List<String> warnings = out.lines().filter(l -> l.contains("using the pure-Java BLAS")).toList();
        assertEquals(1, warnings.size(), out);
        assertTrue(out.contains("BLAS: java"), out);
        assertTrue(Files.exists(tmp.resolve("run/summary.json")));
    }
}

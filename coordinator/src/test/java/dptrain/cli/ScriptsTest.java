package dptrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every shell script of the project (the launchers, fetch-mnist, the benchmarks and the library they source,
 * deploy's, CI's) passes shellcheck at warning level, with the files they source followed. Needs Debian's shellcheck, which .ci/run installs; without
 * it the test is skipped and says so.
 */
class ScriptsTest {
    private static final Set<String> SKIP = Set.of("target", ".git", "bench-out", "runs", "node_modules");

    @Test
    void everyShellScriptPassesShellcheck() throws Exception {
        Assumptions.assumeTrue(onPath("shellcheck"), "shellcheck is not installed (apt-get install shellcheck)");
        Path root = Path.of("..").toAbsolutePath().normalize();
        assertTrue(Files.exists(root.resolve("scripts/dptrain")), "project root not found from " + Path.of("").toAbsolutePath());
        List<String> scripts = new ArrayList<>();
        try (Stream<Path> all = Files.walk(root)) {
            all.filter(p -> root.relativize(p).toString().isEmpty() || !skipped(root.relativize(p)))
                    .filter(Files::isRegularFile)
                    .filter(ScriptsTest::isShellScript)
                    .forEach(p -> scripts.add(root.relativize(p).toString()));
        }
        assertTrue(scripts.contains("scripts/dptrain") && scripts.contains("deploy/src/dist/bin/dptrain")
                && scripts.contains(".ci/run"), "scripts found: " + scripts);
        List<String> cmd = new ArrayList<>(List.of("shellcheck", "-x", "-S", "warning"));
        cmd.addAll(scripts);
        Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "shellcheck did not finish");
        assertEquals(0, p.exitValue(), "shellcheck over " + scripts.size() + " scripts:\n" + out);
    }

    private static boolean skipped(Path rel) {
        for (Path part : rel) {
            if (SKIP.contains(part.toString())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isShellScript(Path p) {
        try (var in = Files.newInputStream(p)) {
            byte[] head = in.readNBytes(64);
            String first = new String(head, StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
            // A sourced library (bench-common.sh) has no #! line: its name says what it is.
            return p.getFileName().toString().endsWith(".sh")
                    || first.startsWith("#!") && (first.contains("bash") || first.endsWith("/sh") || first.contains("/sh "));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}

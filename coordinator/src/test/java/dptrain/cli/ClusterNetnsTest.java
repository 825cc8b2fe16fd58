package dptrain.cli;

import static dptrain.cli.Cli.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coordinator and two workers on three simulated hosts: network namespaces joined by a bridge
 * ({@code scripts/netns-hosts.sh}), so Akka and the data plane go over real UDP through the kernel at Ethernet's MTU,
 * each JVM with its own embedded media driver, every message sealed. The result has the bits of one process.
 * Skipped, saying why, where this user cannot create namespaces (not root, no iproute2).
 */
class ClusterNetnsTest {
    private static final String PREFIX = "dptt";
    private static final String SCRIPT = Path.of("..", "scripts", "netns-hosts.sh").toAbsolutePath().normalize().toString();

    @TempDir
    Path tmp;

    static Path data;

    @BeforeAll
    static void hosts() throws Exception {
        data = FetchMnistCommand.ensureMnist(null);
        Process p = new ProcessBuilder(SCRIPT, "up", PREFIX, "3", "78").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        Assumptions.assumeTrue(ok, "cannot create network namespaces here (root and iproute2 needed): " + out.trim());
    }

    @AfterAll
    static void removeHosts() throws Exception {
        new ProcessBuilder(SCRIPT, "down", PREFIX, "3").inheritIO().start().waitFor(60, TimeUnit.SECONDS);
    }

    @Test
    void coordinatorAndWorkersOnThreeHostsOverUdpTrainLikeOneProcess() throws Exception {
        String[] f = {"--model", "two-layer", "--train-samples", "6000", "--epochs", "1", "--virtual-shards", "4",
                "--data-dir", data.toString(), "--seed", "5", "--quiet", "--no-plots", "--eval-train-samples", "200"};
        Path ref = tmp.resolve("reference");
        Cli.Result r = Cli.run(concat(concat(new String[] {"train"}, f), "--workers", "0", "--run-dir", ref.toString()));
        assertEquals(0, r.exit(), r.err());
        Object reference = ChildJvms.summary(ref).get("params_sha256");
        assertNotNull(reference);

        Path run = tmp.resolve("run");
        try (ChildJvms jvms = new ChildJvms()) {
            Process c = jvms.startIn(PREFIX + "-1", tmp.resolve("coordinator.log"), concat(concat(
                    new String[] {"coordinator"}, f), "--host", "10.78.0.1", "--workers", "2", "--worker-timeout", "90",
                    "--run-dir", run.toString()));
            List<Process> workers = new java.util.ArrayList<>();
            for (int i = 2; i <= 3; i++) {
                workers.add(jvms.startIn(PREFIX + "-" + i, tmp.resolve("worker-" + i + ".log"), "worker", "--join",
                        "10.78.0.1:25520", "--host", "10.78.0." + i, "--data-dir", data.toString(), "--exit-after-job"));
            }
            assertEquals(0, jvms.exit(c, 240, "the coordinator in " + PREFIX + "-1"), "coordinator" + jvms.tail(c)
                    + jvms.tail(workers.get(0)) + jvms.tail(workers.get(1)));
            Map<String, Object> s = ChildJvms.summary(run);
            assertEquals(reference, s.get("params_sha256"), "params_sha256 over UDP between namespaces");
            assertEquals(2, s.get("workers_joined"));
            assertEquals("aes-gcm", s.get("data_plane_mac"), "between hosts every message is sealed");
            assertEquals(Map.of(), s.get("dropped_messages"));
            for (Process w : workers) {
                assertEquals(0, jvms.exit(w, 60, "worker pid " + w.pid()), jvms.tail(w));
                assertTrue(jvms.log(w).contains("data plane 10.78.0."), "the worker's data plane is UDP on its host"
                        + jvms.tail(w));
            }
        }
    }
}

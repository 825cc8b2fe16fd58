package dptrain.cli;

import static org.junit.jupiter.api.Assertions.fail;

import dptrain.cluster.transport.DataPlane;
import dptrain.util.JsonCodec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * dptrain JVMs started by a cluster test (command lines from {@link LocalCluster}, so they run exactly like
 * local-cluster's workers), each logging to its own file. {@link #close} kills whatever still runs and removes the
 * Aeron directories that killed JVMs leave in /dev/shm.
 */
final class ChildJvms implements AutoCloseable {
    static final String HOST = "127.0.0.1";

    private final Map<Process, Path> logs = new LinkedHashMap<>();

    /** Starts a dptrain JVM with the arguments (a command and its flags) and extra environment. */
    Process start(Path log, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = LocalCluster.javaCommand();
        cmd.addAll(List.of(args));
        return track(LocalCluster.start(cmd, log, env), log);
    }

    /** Starts a dptrain JVM in network namespace netns (ip netns exec; the JVM keeps the pid). */
    Process startIn(String netns, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        cmd.addAll(LocalCluster.javaCommand());
        cmd.addAll(List.of(args));
        return track(LocalCluster.start(cmd, log, Map.of()), log);
    }

    /** Starts a worker JVM joining 127.0.0.1:port; config may be null. */
    Process worker(Path log, Map<String, String> env, int port, Path dataDir, Path config, boolean exitAfterJob)
            throws IOException {
        List<String> cmd = LocalCluster.workerCommand(HOST + ":" + port, HOST, dataDir, config, null, exitAfterJob);
        return track(LocalCluster.start(cmd, log, env), log);
    }

    private Process track(Process p, Path log) {
        logs.put(p, log);
        return p;
    }

    /** The process's log so far. */
    String log(Process p) {
        try {
            Path f = logs.get(p);
            return f != null && Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read log: " + e + ")";
        }
    }

    /** The last lines of the process's log, for assertion messages. */
    String tail(Process p) {
        String[] lines = log(p).split("\n");
        return "\n--- last lines of " + logs.get(p) + " ---\n"
                + String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 30), lines.length));
    }

    /** Waits for the process to end (failing after the timeout) and returns its exit code. */
    int exit(Process p, long seconds, String what) throws InterruptedException {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            fail(what + " did not end within " + seconds + " s" + tail(p));
        }
        return p.exitValue();
    }

    /** Polls cond every 20 ms; fails when a process of mustRun ends first or after the timeout. */
    void await(String what, long seconds, BooleanSupplier cond, Process... mustRun) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!cond.getAsBoolean()) {
            for (Process p : mustRun) {
                if (!p.isAlive()) {
                    fail("waiting for " + what + ": pid " + p.pid() + " ended with code " + p.exitValue() + tail(p));
                }
            }
            if (System.nanoTime() > deadline) {
                StringBuilder sb = new StringBuilder();
                for (Process p : mustRun) {
                    sb.append(tail(p));
                }
                fail(what + " did not happen within " + seconds + " s" + sb);
            }
            Thread.sleep(20);
        }
    }

    /** kill -9, then removes the Aeron directory the JVM had no chance to delete. */
    static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        removeAeronDirs();
    }

    /** Kills whatever still runs; removes the Aeron directories of those that had no chance to delete their own. */
    @Override
    public void close() throws InterruptedException {
        for (Process p : logs.keySet()) {
            p.destroyForcibly();
        }
        for (Process p : logs.keySet()) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
        removeAeronDirs();
    }

    /** DataPlane's default directories (under /dev/shm or java.io.tmpdir) of JVMs that no longer run. */
    private static void removeAeronDirs() {
        for (Path base : List.of(Path.of("/dev/shm"), Path.of(System.getProperty("java.io.tmpdir")))) {
            DataPlane.removeOrphans(base);
        }
    }

    /** A TCP port free on 127.0.0.1 right now. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    /** The complete step records of a run's metrics.jsonl so far (a line being written is skipped). */
    static List<Map<String, Object>> steps(Path runDir) {
        List<Map<String, Object>> r = new ArrayList<>();
        Path f = runDir.resolve("metrics.jsonl");
        if (!Files.exists(f)) {
            return r;
        }
        try {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                try {
                    Map<String, Object> m = JsonCodec.readObject(line);
                    if ("step".equals(m.get("type"))) {
                        r.add(m);
                    }
                } catch (IllegalArgumentException e) {
                    // cut short: being written
                }
            }
        } catch (IOException e) {
            // replaced while read (resume rewrites it): try again later
        }
        return r;
    }

    /** The step number of the last complete step record, 0 when there is none. */
    static long lastStep(Path runDir) {
        List<Map<String, Object>> s = steps(runDir);
        return s.isEmpty() ? 0 : ((Number) s.get(s.size() - 1).get("step")).longValue();
    }

    /** The run's summary.json. */
    static Map<String, Object> summary(Path runDir) throws IOException {
        return JsonCodec.readObject(Files.readString(runDir.resolve("summary.json")));
    }
}

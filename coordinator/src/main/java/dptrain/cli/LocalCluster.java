package dptrain.cli;

import dptrain.cluster.transport.DataPlane;
import dptrain.cluster.transport.HostDriver;
import dptrain.util.AtomicFiles;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts and stops the worker JVMs of {@code local-cluster}, with their logs and pid files in the run directory.
 * {@link #javaCommand}, {@link #workerCommand} and {@link #start} build and start any dptrain JVM the same way (the
 * cluster tests start coordinators and workers with them).
 */
final class LocalCluster {
    private LocalCluster() {}

    /**
     * Starts n worker JVMs joining seed; each logs to run/logs/worker-i.log and has run/pids/worker-i.pid. With an
     * aeronDir they are clients of the host's media driver running there.
     */
    static List<Process> spawn(int n, String seed, String host, Path runDir, Path dataDir, Path config, Integer mtu,
                               Path aeronDir) throws IOException {
        Path logs = Files.createDirectories(runDir.resolve("logs"));
        Path pids = Files.createDirectories(runDir.resolve("pids"));
        AtomicFiles.writeString(pids.resolve("coordinator.pid"), ProcessHandle.current().pid() + "\n");
        List<String> cmd = workerCommand(seed, host, dataDir, config, mtu, true);
        if (aeronDir != null) {
            cmd.add("--aeron-dir");
            cmd.add(aeronDir.toString());
        }
        List<Process> procs = new ArrayList<>();
        Thread hook = new Thread(() -> stop(procs), "dptrain-local-cluster-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        for (int i = 1; i <= n; i++) {
            Process p = start(cmd, logs.resolve("worker-" + i + ".log"), Map.of());
            procs.add(p);
            AtomicFiles.writeString(pids.resolve("worker-" + i + ".pid"), p.pid() + "\n");
        }
        return procs;
    }

    /**
     * Starts the host's media driver ({@link HostDriver}) in its own JVM, in a new directory under /dev/shm, logging to
     * run/logs/driver.log with run/pids/driver.pid; waits until it answers. It stops when stopped, or by itself when
     * this JVM ends, even by SIGKILL.
     */
    static HostDriverProcess startDriver(Path runDir, int mtu, int termLength) throws IOException {
        Path logs = Files.createDirectories(runDir.resolve("logs"));
        Path pids = Files.createDirectories(runDir.resolve("pids"));
        Path dir = DataPlane.hostDriverDir();
        List<String> cmd = new ArrayList<>(javaCommand());
        cmd.remove(cmd.size() - 1); // the main class
        cmd.add("-Xmx64m"); // a driver holds no data on the heap: its buffers are memory-mapped files
        cmd.addAll(List.of(HostDriver.class.getName(), dir.toString(), Integer.toString(mtu),
                Integer.toString(termLength), Long.toString(ProcessHandle.current().pid())));
        Path log = logs.resolve("driver.log");
        Process p = start(cmd, log, Map.of());
        HostDriverProcess d = new HostDriverProcess(p, dir);
        AtomicFiles.writeString(pids.resolve("driver.pid"), p.pid() + "\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!DataPlane.driverRunning(dir) || !Files.exists(dir.resolve(DataPlane.DRIVER_ID_FILE))) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                d.close();
                String tail;
                try {
                    List<String> lines = Files.readAllLines(log);
                    tail = String.join("\n  ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
                } catch (IOException e) {
                    tail = "(no log)";
                }
                throw new IllegalStateException("the host's media driver (pid " + p.pid() + ") "
                        + (p.isAlive() ? "did not start within 30 s" : "exited with code " + p.exitValue())
                        + "; its log " + log + ":\n  " + tail);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                d.close();
                throw new IllegalStateException("interrupted while starting the host's media driver");
            }
        }
        return d;
    }

    /** The host driver's process and directory; close stops it (SIGTERM, then SIGKILL after 5 s). */
    record HostDriverProcess(Process process, Path dir) implements AutoCloseable {
        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            // A driver killed (SIGKILL) could not delete its directory; its name is this live process's, so the
            // orphan sweep would not either.
            dptrain.util.FileTrees.deleteQuietly(dir);
        }
    }

    /**
     * The start of a command line that runs dptrain in a new JVM like this one: this JVM's java, its flags (agents
     * and debugger left out), its class path and the main class. Append the dptrain command and its flags.
     */
    static List<String> javaCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent") && !a.startsWith("-Xrunjdwp")) {
                cmd.add(a);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        return cmd;
    }

    /**
     * The command line of a worker JVM joining seed ("host:port"); config (passed as an absolute path, so the worker
     * reads the same file whatever its working directory) and mtu may be null. Without exitAfterJob the worker
     * rejoins whenever it loses its coordinator.
     */
    static List<String> workerCommand(String seed, String host, Path dataDir, Path config, Integer mtu,
                                      boolean exitAfterJob) {
        List<String> cmd = javaCommand();
        cmd.addAll(List.of("worker", "--join", seed, "--host", host, "--data-dir", dataDir.toString()));
        if (exitAfterJob) {
            cmd.add("--exit-after-job");
        }
        if (config != null) {
            cmd.add("--config");
            cmd.add(config.toAbsolutePath().toString());
        }
        if (mtu != null) {
            cmd.add("--mtu");
            cmd.add(mtu.toString());
        }
        return cmd;
    }

    /**
     * Starts cmd with stdout and stderr going to log, OpenBLAS at one thread per call, this JVM's environment plus
     * env (which the config files' ${?VAR} substitutions see, e.g. the TLS store paths).
     */
    static Process start(List<String> cmd, Path log, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Ends the workers at once (a job that failed before it started): SIGTERM, SIGKILL after 5 s. */
    static void destroy(List<Process> procs) {
        for (Process p : procs) {
            p.destroy();
        }
        for (Process p : procs) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the workers: they leave by themselves after the job; whoever has not within 10 s is killed. */
    static void stop(List<Process> procs) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Process p : procs) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    p.destroy();
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}

package dptrain.cli;

import dptrain.util.AtomicFiles;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts and stops the worker JVMs of {@code local-cluster}, with their logs and pid files in the run directory. */
final class LocalCluster {
    private LocalCluster() {}

    /** Starts n worker JVMs joining seed; each logs to run/logs/worker-i.log and has run/pids/worker-i.pid. */
    static List<Process> spawn(int n, String seed, String host, Path runDir, Path dataDir, Path config, Integer mtu)
            throws IOException {
        Path logs = Files.createDirectories(runDir.resolve("logs"));
        Path pids = Files.createDirectories(runDir.resolve("pids"));
        AtomicFiles.writeString(pids.resolve("coordinator.pid"), ProcessHandle.current().pid() + "\n");
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> jvm = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent") && !a.startsWith("-Xrunjdwp")) {
                jvm.add(a);
            }
        }
        List<Process> procs = new ArrayList<>();
        Thread hook = new Thread(() -> stop(procs), "dptrain-local-cluster-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        for (int i = 1; i <= n; i++) {
            List<String> cmd = new ArrayList<>();
            cmd.add(java);
            cmd.addAll(jvm);
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(Main.class.getName());
            cmd.add("worker");
            cmd.add("--join");
            cmd.add(seed);
            cmd.add("--host");
            cmd.add(host);
            cmd.add("--data-dir");
            cmd.add(dataDir.toString());
            cmd.add("--exit-after-job");
            if (config != null) {
                cmd.add("--config");
                cmd.add(config.toAbsolutePath().toString());
            }
            if (mtu != null) {
                cmd.add("--mtu");
                cmd.add(mtu.toString());
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(logs.resolve("worker-" + i + ".log").toFile());
            pb.environment().put("OPENBLAS_NUM_THREADS", "1");
            Process p = pb.start();
            procs.add(p);
            AtomicFiles.writeString(pids.resolve("worker-" + i + ".pid"), p.pid() + "\n");
        }
        return procs;
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

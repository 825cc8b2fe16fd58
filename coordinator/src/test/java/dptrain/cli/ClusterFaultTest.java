package dptrain.cli;

import static dptrain.cli.Cli.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster's membership changes, with a coordinator and workers in separate JVMs on loopback (real Akka
 * remoting, real Aeron UDP): a worker that joins a run under way gets shards from the next step on, and a coordinator
 * killed with SIGKILL and restarted with --resume on the same address gets its (rejoining) workers back. Neither
 * changes a bit of the result.
 */
class ClusterFaultTest {
    @TempDir
    Path tmp;

    static Path data;

    private final ChildJvms jvms = new ChildJvms();

    @BeforeAll
    static void fetchMnist() {
        data = FetchMnistCommand.ensureMnist(null);
    }

    @AfterEach
    void stopJvms() throws InterruptedException {
        jvms.close();
    }

    private String[] flags(String... net) {
        return concat(net, "--data-dir", data.toString(), "--seed", "5", "--quiet", "--no-plots",
                "--eval-train-samples", "200");
    }

    private Object reference(String[] f) throws Exception {
        long t0 = System.nanoTime();
        Path dir = tmp.resolve("reference");
        Cli.Result r = Cli.run(concat(concat(new String[] {"train"}, f), "--workers", "0", "--run-dir", dir.toString()));
        assertEquals(0, r.exit(), "train --workers 0 failed:\n" + r.err());
        Object sha = ChildJvms.summary(dir).get("params_sha256");
        assertNotNull(sha);
        System.out.printf("reference run (train --workers 0): %.1f s%n", (System.nanoTime() - t0) / 1e9);
        return sha;
    }

    @Test
    void workerJoiningMidRunGetsShardsAndChangesNoBit() throws Exception {
        // Long enough that a second JVM (start, MNIST, join, job offer: a few seconds, more on a busy machine) joins
        // well before the end.
        int total = 2000;
        String[] f = flags("--model", "two-layer", "--steps", Integer.toString(total), "--virtual-shards", "4");
        Object reference = reference(f);

        int port = ChildJvms.freePort();
        Path run = tmp.resolve("run");
        long t0 = System.nanoTime();
        Process coordinator = jvms.start(tmp.resolve("coordinator.log"), Map.of(), concat(concat(
                new String[] {"coordinator"}, f), "--port", Integer.toString(port), "--workers", "1",
                "--worker-timeout", "60", "--log-every", "1", "--run-dir", run.toString()));
        Process first = jvms.worker(tmp.resolve("worker-1.log"), Map.of(), port, data, null, true);
        jvms.await("step 5 with one worker", 120, () -> ChildJvms.lastStep(run) >= 5, coordinator, first);
        Process second = jvms.worker(tmp.resolve("worker-2.log"), Map.of(), port, data, null, true);
        long startedAt = ChildJvms.lastStep(run);
        assertEquals(0, jvms.exit(coordinator, 240, "the coordinator"), "coordinator exit code" + jvms.tail(coordinator));

        Map<String, Object> s = ChildJvms.summary(run);
        System.out.printf("cluster run: %.1f s from the coordinator's start, %.1f s training%n",
                (System.nanoTime() - t0) / 1e9, s.get("train_seconds"));
        assertEquals(2, s.get("workers_joined"), "workers_joined in " + s
                + " (if 1: the run ended before the second worker joined; it had started at step " + startedAt + ")");
        assertEquals(reference, s.get("params_sha256"), "params_sha256 with a worker joining mid-run");
        assertEquals(0, s.get("workers_lost"));
        assertEquals(Map.of(), s.get("dropped_messages"));
        assertEquals("aes-gcm", s.get("data_plane_mac"), "workers on the network: every message sealed");

        // The step record that announces the second worker, found by its pid; before it only the first worker.
        List<Map<String, Object>> steps = ChildJvms.steps(run);
        assertEquals(total, steps.size(), "one step record per step");
        String secondId = null;
        int joinedAt = -1;
        Pattern joined = Pattern.compile("worker (\\d+) joined \\(127\\.0\\.0\\.1, pid " + second.pid() + "\\)");
        for (int i = 0; i < steps.size() && secondId == null; i++) {
            for (Object e : (List<?>) steps.get(i).getOrDefault("events", List.of())) {
                Matcher m = joined.matcher((String) e);
                if (m.matches()) {
                    secondId = m.group(1);
                    joinedAt = i;
                }
            }
        }
        assertNotNull(secondId, "no event of the second worker (pid " + second.pid() + ") joining in metrics.jsonl");
        assertTrue(joinedAt >= 5, "the second worker joined at step " + (joinedAt + 1) + ", before the run was under way");
        System.out.printf("second worker started at step %d, joined at step %d of %d%n", startedAt, joinedAt + 1,
                steps.size());
        for (int i = 0; i < joinedAt; i++) {
            assertEquals(1, steps.get(i).get("workers"), "live workers at step " + (i + 1));
        }
        // From the join on: both live; the newcomer computes shards (the counts are cumulative; the record before
        // the join is the base, as the join step's own shards may already count in the join record).
        Map<String, Object> before = steps.get(joinedAt - 1);
        Map<String, Object> last = steps.get(steps.size() - 1);
        assertEquals(2, last.get("workers"), "live workers at the last step");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> per = (Map<String, Map<String, Object>>) last.get("per_worker");
        assertEquals(2, per.size(), "per_worker at the last step: " + per);
        String newcomer = secondId;
        String firstId = per.keySet().stream().filter(k -> !k.equals(newcomer)).findFirst().orElseThrow();
        for (Map<String, Object> w : per.values()) {
            assertEquals(Boolean.TRUE, w.get("live"), "per_worker " + per);
        }
        double secondShards = ((Number) per.get(secondId).get("shards")).doubleValue() - shards(before, secondId);
        double firstShards = ((Number) per.get(firstId).get("shards")).doubleValue() - shards(before, firstId);
        int after = steps.size() - joinedAt;
        assertTrue(secondShards > 0, "the second worker computed no shard in the " + after + " steps from its join");
        assertEquals(4.0 * after, firstShards + secondShards, "shards computed in the " + after
                + " steps from the join (K = 4 a step, none lost or reassigned)");
        // The newcomer keeps getting shards: its first (cold JVM) shards are slow, but a worker left without shards
        // has its estimate pulled toward the fastest each step, so it is tried again and measured warm.
        double lateShards = ((Number) per.get(secondId).get("shards")).doubleValue()
                - shards(steps.get(joinedAt + (steps.size() - joinedAt) / 2), secondId);
        assertTrue(lateShards > 0, "the second worker got no shard in the second half of the run after its join ("
                + secondShards + " from its join)");

        assertEquals(0, jvms.exit(first, 30, "worker 1"), "worker 1 exit code" + jvms.tail(first));
        assertEquals(0, jvms.exit(second, 30, "worker 2"), "worker 2 exit code" + jvms.tail(second));
        // The worker's own count, from its log, agrees with the coordinator's.
        Matcher done = Pattern.compile("worker " + secondId + " computed (\\d+) shards").matcher(jvms.log(second));
        assertTrue(done.find(), "worker 2 log" + jvms.tail(second));
        assertEquals((double) Integer.parseInt(done.group(1)), ((Number) per.get(secondId).get("shards")).doubleValue(),
                "shards by the worker's log and by metrics.jsonl");
    }

    /** Shards the worker had computed by the step (0 if it is not listed yet: it joined while the record was made). */
    @SuppressWarnings("unchecked")
    private static double shards(Map<String, Object> step, String id) {
        Map<String, Object> w = ((Map<String, Map<String, Object>>) step.get("per_worker")).get(id);
        return w == null ? 0 : ((Number) w.get("shards")).doubleValue();
    }

    @Test
    void restartedCoordinatorResumesAndItsWorkersRejoin() throws Exception {
        int total = 300;
        String[] f = flags("--model", "two-layer", "--steps", Integer.toString(total), "--virtual-shards", "4",
                "--checkpoint-every", "50");
        Object reference = reference(f);

        int port = ChildJvms.freePort();
        Path run = tmp.resolve("run");
        String[] coordinatorArgs = concat(concat(new String[] {"coordinator"}, f), "--port", Integer.toString(port),
                "--workers", "2", "--worker-timeout", "90", "--log-every", "1", "--run-dir", run.toString());
        Process c1 = jvms.start(tmp.resolve("coordinator-1.log"), Map.of(), coordinatorArgs);
        // Without --exit-after-job: the workers outlive their coordinator and rejoin whoever comes up at the address.
        List<Process> workers = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            workers.add(jvms.worker(tmp.resolve("worker-" + i + ".log"), Map.of(), port, data, null, false));
        }
        Path ckpt = run.resolve("checkpoints/latest.ckpt");
        jvms.await("a checkpoint and step 60", 120, () -> Files.exists(ckpt) && ChildJvms.lastStep(run) >= 60,
                c1, workers.get(0), workers.get(1));
        ChildJvms.kill(c1);
        assertFalse(Files.exists(run.resolve("summary.json")), "the first coordinator finished before it was killed");
        long resumeAt = Checkpoint.read(ckpt).step();
        long reached = ChildJvms.lastStep(run);
        long killedAt = System.nanoTime();
        assertTrue(resumeAt >= 50 && resumeAt < total && resumeAt % 50 == 0, "checkpoint at step " + resumeAt);
        for (Process w : workers) {
            assertTrue(w.isAlive(), "a worker ended with its coordinator" + jvms.tail(w));
        }

        // Same address, same run directory, --resume: the workers come back by themselves.
        Process c2 = jvms.start(tmp.resolve("coordinator-2.log"), Map.of(), concat(coordinatorArgs, "--resume"));
        assertEquals(0, jvms.exit(c2, 240, "the resumed coordinator"), "resumed coordinator exit code" + jvms.tail(c2));
        assertTrue(jvms.log(c2).contains("resuming at step " + resumeAt + " of " + total), "resume line" + jvms.tail(c2));
        System.out.printf("coordinator killed at step %d, resumed from step %d; the restart took %.1f s%n", reached,
                resumeAt, (System.nanoTime() - killedAt) / 1e9);

        Map<String, Object> s = ChildJvms.summary(run);
        assertEquals(reference, s.get("params_sha256"), "params_sha256 after a coordinator restart (killed at step "
                + reached + ", resumed from the checkpoint at step " + resumeAt + ")");
        assertEquals(2, s.get("workers_joined"), "workers that joined the resumed coordinator: " + s);
        assertEquals(total, ((Number) s.get("steps")).longValue(), "steps in " + s);

        // The same two worker processes served both coordinators: each left, rejoined and took a second job.
        List<Map<String, Object>> steps = ChildJvms.steps(run);
        assertEquals(total, steps.size(), "one step record per step (the log is cut back to the checkpoint)");
        String events = steps.subList((int) resumeAt, steps.size()).stream()
                .flatMap(m -> ((List<?>) m.getOrDefault("events", List.of())).stream()).map(Object::toString)
                .reduce("", (a, b) -> a + b + "\n");
        for (Process w : workers) {
            assertTrue(w.isAlive(), "worker pid " + w.pid() + " ended" + jvms.tail(w));
            assertTrue(events.contains("pid " + w.pid() + ")"), "worker pid " + w.pid() + " joined the resumed "
                    + "coordinator; events after the resume:\n" + events);
            String log = jvms.log(w);
            assertTrue(log.contains("rejoining 127.0.0.1:" + port), "worker left and rejoined" + jvms.tail(w));
            assertEquals(2, count(log, "joined job"), "jobs joined by worker pid " + w.pid() + jvms.tail(w));
        }
        assertEquals(2, steps.get(steps.size() - 1).get("workers"), "live workers at the last step");
    }

    private static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) {
            n++;
        }
        return n;
    }
}

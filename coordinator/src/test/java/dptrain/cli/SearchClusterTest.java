package dptrain.cli;

import static dptrain.cli.Cli.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.util.JsonCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real searches: coordinator and workers over Akka (in this JVM and as worker JVMs on loopback), the same trials,
 * scores and winner for any worker count, a coordinator killed with -9 and resumed, a worker JVM killed mid-search.
 */
class SearchClusterTest {
    @TempDir
    Path tmp;

    private static final String[] NET = {"--model", "two-layer", "--hidden", "20", "--batch-size", "50", "--param", "lr=log-uniform:1e-2:1", "--param", "weight-decay=log-uniform:1e-8:1e-3",
            "--quiet", "--no-final"};

    private static String[] strategy(String s) {
        return switch (s) {
            case "asha" -> new String[] {"--strategy", "asha", "--trials", "9", "--epochs", "4", "--min-epochs", "1"};
            case "bayes" -> new String[] {"--strategy", "bayes", "--trials", "7", "--bayes-initial", "3",
                    "--bayes-window", "1", "--epochs", "2"};
            default -> new String[] {"--strategy", s, "--trials", "5", "--epochs", "2"};
        };
    }

    private Path search(String name, String... args) {
        Path dir = tmp.resolve(name);
        Cli.Result r = Cli.run(concat(concat(new String[] {"search"}, args), "--run-dir", dir.toString()));
        assertEquals(0, r.exit(), name + ": " + r.err());
        return dir;
    }

    /** trials.csv without the columns that depend on the cluster (worker, seconds). */
    static String repeatable(Path dir) throws Exception {
        return Files.readAllLines(dir.resolve("trials.csv")).stream()
                .map(l -> l.substring(0, nthLastComma(l, 2)))
                .collect(Collectors.joining("\n"));
    }

    private static int nthLastComma(String l, int n) {
        int i = l.length();
        for (int k = 0; k < n; k++) {
            i = l.lastIndexOf(',', i - 1);
        }
        return i;
    }

    @ParameterizedTest
    @ValueSource(strings = {"random", "asha", "bayes"})
    void sameTrialsScoresAndWinnerForAnyWorkerCount(String s) throws Exception {
        String[] flags = concat(concat(NET, strategy(s)), "--train-samples", "1000");
        Path one = search(s + "-w1", concat(flags, "--workers", "1"));
        Path three = search(s + "-w3", concat(flags, "--workers", "3"));
        Path lc = search(s + "-lc2", concat(flags, "--local-cluster", "--workers", "2"));
        String ref = repeatable(one);
        assertTrue(ref.split("\n").length > 4, ref);
        assertEquals(ref, repeatable(three), s + ": trials.csv of --workers 3 vs 1");
        assertEquals(ref, repeatable(lc), s + ": trials.csv of --local-cluster --workers 2 vs --workers 1");
        assertEquals(ChildJvms.summary(one).get("best"), ChildJvms.summary(lc).get("best"));
        if (s.equals("asha")) {
            // The winner went through pauses at rungs and resumed from checkpoints on other workers: still the bits
            // of train run alone with its settings.
            assertWinnerHasTheBitsOfTrainAlone(lc, "alone");
            assertTrue(Files.readString(lc.resolve("trials.csv")).contains("stopped"), "asha stopped some trials");
        }
    }

    @Test
    void trialsTrainedDataParallelOverGroupsOfWorkersGiveTheSameTrials() throws Exception {
        // ASHA: units pause at rungs and resume from checkpoints, here inside data-parallel jobs of 2 workers each,
        // over IPC in this JVM and between worker JVMs on the host's driver (which must stay for the next unit).
        String[] flags = concat(concat(NET, strategy("asha")), "--train-samples", "1000", "--virtual-shards", "4");
        Path one = search("g-w1", concat(flags, "--workers", "1"));
        Path groups = search("g-w4x2", concat(flags, "--workers", "4", "--workers-per-trial", "2"));
        Path lc = search("g-lc2x2", concat(flags, "--local-cluster", "--workers", "2", "--workers-per-trial", "2"));
        String ref = repeatable(one);
        assertEquals(ref, repeatable(groups), "trials.csv of 2 groups of 2 workers vs 1 worker");
        assertEquals(ref, repeatable(lc), "trials.csv of a group of 2 worker JVMs vs 1 worker");
        assertTrue(Files.readString(lc.resolve("trials.csv")).contains("group "), "the worker column names the group");
        // The worker JVMs are clients of the host's one media driver, and the group jobs go over IPC.
        assertTrue(Files.exists(lc.resolve("pids/driver.pid")), "the host's driver");
        for (int i = 1; i <= 2; i++) {
            String log = Files.readString(lc.resolve("logs/worker-" + i + ".log"));
            assertTrue(log.contains("data plane ipc)"), "worker " + i + " over IPC:\n" + log);
        }
        assertWinnerHasTheBitsOfTrainAlone(lc, "g-alone");
    }

    /** The search's winner, run alone as `train @best-args.txt` in tmp/name, ends with the winner's params_sha256. */
    @SuppressWarnings("unchecked")
    private void assertWinnerHasTheBitsOfTrainAlone(Path search, String name) throws Exception {
        Map<String, Object> best = (Map<String, Object>) ChildJvms.summary(search).get("best");
        Path alone = tmp.resolve(name);
        Cli.Result r = Cli.run("train", "@" + search.resolve("best-args.txt"), "--workers", "0", "--run-dir",
                alone.toString(), "--quiet", "--no-plots");
        assertEquals(0, r.exit(), r.err());
        assertEquals(best.get("params_sha256"), ChildJvms.summary(alone).get("params_sha256"));
    }

    @Test
    void coordinatorKilledMidSearchResumesWithoutRerunningFinishedTrials() throws Exception {
        String[] flags = concat(NET, "--strategy", "asha", "--trials", "12", "--epochs", "4", "--min-epochs", "1",
                "--train-samples", "4000");
        Path ref = search("ref", concat(flags, "--workers", "2"));
        Path dir = tmp.resolve("killed");
        try (ChildJvms jvms = new ChildJvms()) {
            Process coord = jvms.start(tmp.resolve("coordinator.log"), Map.of(),
                    concat(concat(new String[] {"search"}, flags), "--local-cluster", "--workers", "2", "--run-dir",
                            dir.toString()));
            Path journal = dir.resolve("journal.jsonl");
            jvms.await("4 results in the journal", 120, () -> results(journal) >= 4, coord);
            List<ProcessHandle> workers = new java.util.ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                long pid = Long.parseLong(Files.readString(dir.resolve("pids/worker-" + i + ".pid")).trim());
                ProcessHandle.of(pid).ifPresent(workers::add);
            }
            ChildJvms.kill(coord);
            workers.forEach(ProcessHandle::destroyForcibly);
            assertTrue(results(journal) < 12 + 4, "killed before the end");
        }
        int before = results(dir.resolve("journal.jsonl"));
        assertEquals(2, Cli.run("search", "--resume").exit(), "--resume without --run-dir");
        Cli.Result r = Cli.run("search", "--resume", "--run-dir", dir.toString(), "--workers", "2", "--quiet", "--no-final");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("resuming"), r.err());
        assertEquals(repeatable(ref), repeatable(dir), "trials.csv after kill -9 and --resume");
        // No unit ran twice to completion: each (trial, seed, rung) has at most one result.
        Map<String, Integer> seen = new HashMap<>();
        for (String l : Files.readAllLines(dir.resolve("journal.jsonl"))) {
            Map<String, Object> j = JsonCodec.readObject(l);
            if ("result".equals(j.get("type"))) {
                seen.merge(j.get("trial") + "/" + j.get("seed_index") + "/" + j.get("rung"), 1, Integer::sum);
            }
        }
        assertTrue(seen.values().stream().allMatch(n -> n == 1), "results per unit: " + seen);
        assertTrue(before >= 4);
        // A larger --trials extends the finished search.
        r = Cli.run("search", "--resume", "--run-dir", dir.toString(), "--workers", "2", "--trials", "15", "--quiet",
                "--no-final");
        assertEquals(0, r.exit(), r.err());
        assertEquals(16, Files.readAllLines(dir.resolve("trials.csv")).size(), "header + 15 trials");
        assertTrue(repeatable(dir).startsWith(repeatable(ref).lines().limit(1).findFirst().orElseThrow()));
    }

    private static int results(Path journal) {
        try {
            return Files.exists(journal) ? (int) Files.readAllLines(journal).stream()
                    .filter(l -> l.contains("\"type\":\"result\"")).count() : 0;
        } catch (Exception e) {
            return 0;
        }
    }

    @Test
    void workerJvmKilledMidSearchLeavesTheLeaderboardUnchanged() throws Exception {
        String[] flags = concat(NET, "--strategy", "random", "--trials", "8", "--epochs", "3", "--train-samples", "6000");
        Path ref = search("wref", concat(flags, "--workers", "1"));
        Path dir = tmp.resolve("wkilled");
        CompletableFuture<Cli.Result> job = CompletableFuture.supplyAsync(() -> Cli.run(concat(concat(
                new String[] {"search"}, flags), "--local-cluster", "--workers", "2", "--run-dir", dir.toString())));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (results(dir.resolve("journal.jsonl")) < 2) {
            assertTrue(System.nanoTime() < deadline && !job.isDone(), "the search did not get to 2 results");
            Thread.sleep(20);
        }
        long pid = Long.parseLong(Files.readString(dir.resolve("pids/worker-2.pid")).trim());
        assertTrue(ProcessHandle.of(pid).orElseThrow().destroyForcibly(), "SIGKILL to worker 2");
        Cli.Result r = job.get(300, TimeUnit.SECONDS);
        assertEquals(0, r.exit(), r.err());
        assertEquals(Files.readString(ref.resolve("leaderboard.txt")), Files.readString(dir.resolve("leaderboard.txt")));
        assertEquals(repeatable(ref), repeatable(dir));
        assertTrue(r.err().contains("lost"), "the loss is reported: " + r.err());
    }

    @Test
    void badSearchSettingsAreNamed() {
        Object[][] cases = {
                {new String[] {"--param", "lrr=log-uniform:1e-4:1"}, "did you mean 'lr'"},
                {new String[] {"--param", "lr=log-uniform:0:1"}, "LO > 0"},
                {new String[] {"--param", "lr=gauss:0:1"}, "unknown distribution 'gauss'"},
                {new String[] {"--param", "seed=int:1:5"}, "the search owns it"},
                {new String[] {"--param", "lr=log-uniform:1e-4:1", "--strategy", "hyperband"}, "--strategy"},
                {new String[] {"--model", "multi-layer", "--param", "dropout=uniform:0:1.5"}, "dropout = 1.5"},
                {new String[] {"--param", "lr=log-uniform:1e-4:1", "--frobnicate"}, "--frobnicate"},
                {new String[] {"--param", "lr=log-uniform:1e-4:1", "--trials", "0"}, "--trials"},
                {new String[] {"--param", "lr=log-uniform:1e-4:1", "--workers", "2", "--workers-per-trial", "3"},
                        "--workers-per-trial: 3 (expected 1..2"},
        };
        for (Object[] c : cases) {
            Cli.Result r = Cli.run(concat(concat(new String[] {"search"}, (String[]) c[0]), "--run-dir",
                    tmp.resolve("bad").toString()));
            assertEquals(2, r.exit(), String.join(" ", (String[]) c[0]) + ": " + r.err());
            assertTrue(r.err().contains((String) c[1]), "expected '" + c[1] + "' in: " + r.err());
        }
    }
}

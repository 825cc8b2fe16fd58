package dptrain.coordinator;

import dptrain.search.Param;
import dptrain.search.SearchPlan;
import dptrain.search.SearchPlan.Result;
import dptrain.search.SearchPlan.Unit;
import dptrain.util.AtomicFiles;
import dptrain.util.JsonCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The records of a search in its run directory: the journal (append-only, fsync'd: the search's state, replayed by
 * {@code --resume}), each unit's directory with its metrics and latest checkpoint, and the tables a user reads
 * (trials.csv, leaderboard.txt), rewritten atomically after each result. Confined to the search coordinator's actor.
 */
public final class SearchBook implements AutoCloseable {
    /** Journal format version. */
    public static final int VERSION = 1;

    private final Path dir;
    private final SearchPlan plan;
    private final FileChannel journal;
    private final Map<Integer, String> lastWorker = new HashMap<>();
    private final Map<Integer, Double> seconds = new HashMap<>();
    private final Map<Integer, TreeMap<Double, Double>> curves = new HashMap<>();
    private final Map<Integer, String> diverged = new HashMap<>();
    private final Map<Path, Double> lastEpochWritten = new HashMap<>();
    private final Map<Integer, Long> endAt = new HashMap<>();
    private long startMillis = System.currentTimeMillis();
    private volatile long firstUnitNanos;

    /** Opens (or continues) the journal of dir; the plan has any replayed results already. */
    public SearchBook(Path dir, SearchPlan plan) throws IOException {
        this.dir = dir;
        this.plan = plan;
        Files.createDirectories(dir.resolve("trials"));
        this.journal = FileChannel.open(dir.resolve("journal.jsonl"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** The run directory. */
    public Path dir() {
        return dir;
    }

    /** Notes that a unit went to a worker; the first call marks when the cluster started doing the search's work. */
    public void unitSent() {
        if (firstUnitNanos == 0) {
            firstUnitNanos = System.nanoTime();
        }
    }

    /** System.nanoTime() when this process sent its first unit to a worker, or 0 if it sent none. */
    public long firstUnitNanos() {
        return firstUnitNanos;
    }

    /** The plan. */
    public SearchPlan plan() {
        return plan;
    }

    /** Appends one record to journal.jsonl and forces it to disk before returning. */
    public void journal(Map<String, Object> record) {
        try {
            ByteBuffer b = ByteBuffer.wrap((JsonCodec.write(record) + "\n").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                journal.write(b);
            }
            journal.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + dir.resolve("journal.jsonl"), e);
        }
    }

    /** The journal's records; a last line cut short by a crash is left out. */
    public static List<Map<String, Object>> readJournal(Path file) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isBlank()) {
                continue;
            }
            try {
                out.add(JsonCodec.readObject(l));
            } catch (RuntimeException e) {
                if (i == lines.size() - 1) {
                    break; // torn by a crash mid-write: the unit runs again
                }
                throw new IllegalArgumentException(file + " line " + (i + 1) + " is not a JSON object: " + e.getMessage());
            }
        }
        return out;
    }

    /** Puts the journal's results back into the plan and this book (a resumed search). */
    public void replay(List<Map<String, Object>> records) {
        for (Map<String, Object> r : records) {
            String type = String.valueOf(r.get("type"));
            if (type.equals("start") && r.get("at") instanceof Number n) {
                startMillis = Math.min(startMillis, n.longValue());
            }
            if (type.equals("result")) {
                Unit u = unit(r);
                Result res = new Result((String) r.get("status"), num(r.get("validation_accuracy")),
                        num(r.get("validation_loss")), ((Number) r.get("steps")).longValue(),
                        (String) r.get("params_sha256"), (String) r.get("detail"));
                plan.record(u, res);
                noteResult(u, res, (String) r.get("worker"), num(r.get("seconds")),
                        r.get("at") instanceof Number n ? n.longValue() : startMillis);
            } else if (type.equals("retry")) {
                plan.retry(unit(r), String.valueOf(r.get("reason")));
            }
        }
        for (int t = 0; t < plan.trialCount(); t++) {
            loadCurve(t);
        }
    }

    private static Unit unit(Map<String, Object> r) {
        return new Unit(((Number) r.get("trial")).intValue(), ((Number) r.get("seed_index")).intValue(),
                ((Number) r.get("rung")).intValue(), ((Number) r.get("epoch")).intValue());
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** Records a unit's result in the plan, the journal and the tables. */
    public void record(Unit u, Result r, String worker, double unitSeconds) {
        plan.record(u, r);
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("type", "result");
        j.put("trial", u.trial());
        j.put("seed_index", u.seedIndex());
        j.put("rung", u.rung());
        j.put("epoch", u.epoch());
        j.put("status", r.status());
        j.put("validation_accuracy", r.accuracy());
        j.put("validation_loss", r.loss());
        j.put("steps", r.steps());
        j.put("params_sha256", r.paramsSha256());
        j.put("detail", r.detail());
        j.put("worker", worker);
        j.put("seconds", unitSeconds);
        long at = System.currentTimeMillis();
        j.put("at", at);
        journal(j);
        noteResult(u, r, worker, unitSeconds, at);
    }

    private void noteResult(Unit u, Result r, String worker, double unitSeconds, long at) {
        lastWorker.put(u.trial(), worker);
        endAt.merge(u.trial(), at, Math::max);
        seconds.merge(u.trial(), Double.isNaN(unitSeconds) ? 0 : unitSeconds, Double::sum);
        if (!r.isOk() && r.detail() != null) {
            diverged.put(u.trial(), r.detail());
        }
    }

    /** A unit's directory: trials/0007/seed-0. */
    public Path unitDir(int trial, int seedIndex) {
        return dir.resolve("trials").resolve(String.format(Locale.ROOT, "%04d", trial)).resolve("seed-" + seedIndex);
    }

    /** The latest checkpoint of a trial's seed, or null. */
    public byte[] checkpoint(int trial, int seedIndex) throws IOException {
        Path p = unitDir(trial, seedIndex).resolve("checkpoint.ckpt");
        return Files.exists(p) ? Files.readAllBytes(p) : null;
    }

    /** Keeps a checkpoint shipped by a worker (atomically: a crash leaves the old one or the new one). */
    public void storeCheckpoint(int trial, int seedIndex, byte[] bytes) throws IOException {
        Path d = Files.createDirectories(unitDir(trial, seedIndex));
        AtomicFiles.write(d.resolve("checkpoint.ckpt"), out -> out.write(bytes));
    }

    /**
     * Appends an epoch record to the unit's metrics.jsonl unless that epoch is there already (a resumed unit);
     * returns the record's epoch (NaN if it has none).
     */
    public double appendEpoch(int trial, int seedIndex, String record) throws IOException {
        Map<String, Object> r = JsonCodec.readObject(record);
        double epoch = num(r.get("epoch"));
        Path d = Files.createDirectories(unitDir(trial, seedIndex));
        Path m = d.resolve("metrics.jsonl");
        Double last = lastEpochWritten.get(m);
        if (last == null) {
            last = lastEpoch(m);
        }
        if (epoch > last) {
            Files.writeString(m, record + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            lastEpochWritten.put(m, epoch);
            if (seedIndex == 0) {
                curves.computeIfAbsent(trial, t -> new TreeMap<>()).put(epoch, num(r.get("validation_accuracy")));
            }
        }
        return epoch;
    }

    private static double lastEpoch(Path metrics) throws IOException {
        double last = 0;
        if (Files.exists(metrics)) {
            for (String l : Files.readAllLines(metrics, StandardCharsets.UTF_8)) {
                if (!l.isBlank()) {
                    try {
                        last = Math.max(last, num(JsonCodec.readObject(l).get("epoch")));
                    } catch (RuntimeException e) {
                        // a torn last line: the epoch comes again
                    }
                }
            }
        }
        return last;
    }

    private void loadCurve(int trial) {
        Path m = unitDir(trial, 0).resolve("metrics.jsonl");
        if (!Files.exists(m)) {
            return;
        }
        try {
            for (String l : Files.readAllLines(m, StandardCharsets.UTF_8)) {
                if (!l.isBlank()) {
                    Map<String, Object> r = JsonCodec.readObject(l);
                    curves.computeIfAbsent(trial, t -> new TreeMap<>()).put(num(r.get("epoch")),
                            num(r.get("validation_accuracy")));
                }
            }
        } catch (IOException | RuntimeException e) {
            // curves are for plots only
        }
    }

    /** Validation accuracy after each epoch of a trial's first seed, for plots. */
    public TreeMap<Double, Double> curve(int trial) {
        return curves.getOrDefault(trial, new TreeMap<>());
    }

    /** The worker that ran a trial's latest unit. */
    public String worker(int trial) {
        return lastWorker.getOrDefault(trial, "");
    }

    /** Seconds from the search's first start to a trial's latest result (NaN if none). */
    public double endSeconds(int trial) {
        Long at = endAt.get(trial);
        return at == null ? Double.NaN : (at - startMillis) / 1000.0;
    }

    /** Seconds of all units of a trial. */
    public double seconds(int trial) {
        return seconds.getOrDefault(trial, 0.0);
    }

    /** The trials.csv columns a run repeats whatever the cluster (the others: worker, seconds). */
    public List<String> csvHeader() {
        List<String> h = new ArrayList<>(List.of("trial"));
        for (Param p : plan.settings().space().params()) {
            h.add(p.name());
        }
        h.addAll(List.of("seeds", "validation_accuracy", "validation_accuracy_sd", "validation_loss", "epochs",
                "status", "params_sha256", "detail", "worker", "seconds"));
        return h;
    }

    /** Rewrites trials.csv and leaderboard.txt. */
    public void writeTables(Set<Unit> inFlight, boolean over) throws IOException {
        StringBuilder csv = new StringBuilder(String.join(",", csvHeader())).append('\n');
        int[] rungs = plan.rungs();
        int n = plan.trialCount();
        for (int t = 0; t < n; t++) {
            Map<String, String> v = plan.values(t);
            if (v == null) {
                continue; // not proposed yet
            }
            int top = plan.topRung(t);
            List<String> row = new ArrayList<>();
            row.add(Integer.toString(t));
            for (Param p : plan.settings().space().params()) {
                row.add(v.get(p.name()));
            }
            List<String> seeds = new ArrayList<>();
            for (int r = 0; r < plan.settings().seedsPerTrial(); r++) {
                seeds.add(Long.toString(plan.trialSeed(r)));
            }
            row.add(String.join(";", seeds));
            row.add(top < 0 ? "" : fmt(plan.score(t, top)));
            row.add(top < 0 ? "" : fmt(plan.spread(t, top)));
            row.add(top < 0 ? "" : fmt(plan.loss(t, top)));
            row.add(top < 0 ? "0" : Integer.toString(rungs[top]));
            row.add(plan.status(t, inFlight, over));
            Result r0 = top < 0 ? null : plan.result(t, top, 0);
            row.add(r0 == null || r0.paramsSha256() == null ? "" : r0.paramsSha256());
            row.add(csvText(diverged.getOrDefault(t, "")));
            row.add(csvText(worker(t)));
            row.add(String.format(Locale.ROOT, "%.2f", seconds(t)));
            csv.append(String.join(",", row)).append('\n');
        }
        AtomicFiles.writeString(dir.resolve("trials.csv"), csv.toString());
        AtomicFiles.writeString(dir.resolve("leaderboard.txt"), leaderboard(10));
    }

    /** The top trials by validation accuracy, with their settings, as a text table. */
    public String leaderboard(int top) {
        StringBuilder b = new StringBuilder();
        List<String> names = plan.settings().space().names();
        b.append(String.format(Locale.ROOT, "%-4s %-6s %-9s %-8s %-6s", "rank", "trial", "val acc", "± sd", "epochs"));
        for (String nm : names) {
            b.append(' ').append(String.format(Locale.ROOT, "%-12s", nm));
        }
        b.append('\n');
        List<Integer> rank = plan.ranking();
        int[] rungs = plan.rungs();
        for (int i = 0; i < Math.min(top, rank.size()); i++) {
            int t = rank.get(i);
            int k = plan.topRung(t);
            b.append(String.format(Locale.ROOT, "%-4d %-6d %-9s %-8s %-6d", i + 1, t,
                    String.format(Locale.ROOT, "%.2f%%", 100 * plan.score(t, k)),
                    String.format(Locale.ROOT, "%.2f", 100 * plan.spread(t, k)), rungs[k]));
            for (String nm : names) {
                b.append(' ').append(String.format(Locale.ROOT, "%-12s", plan.values(t).get(nm)));
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }

    private static String csvText(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return "\"" + s.replace("\"", "\"\"").replace('\n', ' ') + "\"";
        }
        return s;
    }

    @Override
    public void close() throws IOException {
        journal.close();
    }
}

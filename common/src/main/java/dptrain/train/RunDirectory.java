package dptrain.train;

import dptrain.util.AtomicFiles;
import dptrain.util.JsonCodec;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a run leaves behind: metrics.jsonl (one JSON object per logged step and per epoch) and the same records'
 * main numbers as metrics.csv (for spreadsheets and pandas), summary.json, config.json, checkpoints/latest.ckpt and
 * plots/. Everything but the metrics logs is replaced atomically; the logs are cut back to the checkpoint on resume
 * so that no step is counted twice.
 */
public final class RunDirectory implements AutoCloseable {
    /** metrics.csv's columns: a record's numbers under these keys (empty where it has none); the rest is in the JSON. */
    public static final List<String> CSV_COLUMNS = List.of("type", "step", "epoch", "loss", "train_loss",
            "train_accuracy", "validation_loss", "validation_accuracy", "test_loss", "test_accuracy", "lr",
            "samples_per_second", "apply_ms", "train_seconds");

    private final Path dir;
    private BufferedWriter metrics;
    private BufferedWriter csv;

    /** Opens (creating) a run directory. */
    public RunDirectory(Path dir) {
        this.dir = dir.toAbsolutePath();
        try {
            Files.createDirectories(this.dir.resolve("checkpoints"));
            Files.createDirectories(this.dir.resolve("plots"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run directory " + this.dir + ": " + e.getMessage(), e);
        }
    }

    /** The directory. */
    public Path path() {
        return dir;
    }

    /** The checkpoint a resumed run starts from. */
    public Path latestCheckpoint() {
        return dir.resolve("checkpoints").resolve("latest.ckpt");
    }

    /** summary.json. */
    public Path summaryFile() {
        return dir.resolve("summary.json");
    }

    /** metrics.jsonl. */
    public Path metricsFile() {
        return dir.resolve("metrics.jsonl");
    }

    /** metrics.csv. */
    public Path metricsCsvFile() {
        return dir.resolve("metrics.csv");
    }

    /** The plots folder. */
    public Path plotsDir() {
        return dir.resolve("plots");
    }

    /** Starts the metrics log: fresh, or (resuming) keeping only records up to and including keepThroughStep. */
    public void openMetrics(boolean resume, long keepThroughStep) throws IOException {
        Path f = metricsFile();
        if (resume && Files.exists(f)) {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    Object step = JsonCodec.readObject(line).get("step");
                    if (step instanceof Number n && n.longValue() <= keepThroughStep) {
                        kept.add(line);
                    }
                } catch (IllegalArgumentException e) {
                    // a line cut short by a crash: dropped
                }
            }
            AtomicFiles.writeString(f, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
            StringBuilder rows = new StringBuilder(String.join(",", CSV_COLUMNS)).append('\n');
            for (String line : kept) {
                rows.append(csvRow(JsonCodec.readObject(line))).append('\n');
            }
            AtomicFiles.writeString(metricsCsvFile(), rows.toString());
        } else {
            AtomicFiles.writeString(f, "");
            AtomicFiles.writeString(metricsCsvFile(), String.join(",", CSV_COLUMNS) + "\n");
        }
        metrics = Files.newBufferedWriter(f, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        csv = Files.newBufferedWriter(metricsCsvFile(), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** One metrics.csv row: the record's values under {@link #CSV_COLUMNS}. */
    static String csvRow(Map<String, Object> record) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < CSV_COLUMNS.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            Object v = record.get(CSV_COLUMNS.get(i));
            if (v instanceof Number n && Double.isFinite(n.doubleValue())
                    || v instanceof String s && s.matches("[A-Za-z_]+")) {
                b.append(v); // a non-finite number stays empty, as it is null in the JSON
            }
        }
        return b.toString();
    }

    /** Appends one record to metrics.jsonl and its main numbers to metrics.csv. */
    public void log(Map<String, Object> record) {
        try {
            metrics.write(JsonCodec.write(record));
            metrics.write('\n');
            csv.write(csvRow(record));
            csv.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + metricsFile() + ": " + e.getMessage(), e);
        }
    }

    /** Flushes metrics.jsonl and metrics.csv to their files. */
    public void flush() {
        try {
            metrics.flush();
            csv.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + metricsFile() + ": " + e.getMessage(), e);
        }
    }

    /** The epoch records of metrics.jsonl, in order (for plots after a resume). */
    public List<Map<String, Object>> epochRecords() throws IOException {
        List<Map<String, Object>> r = new ArrayList<>();
        if (!Files.exists(metricsFile())) {
            return r;
        }
        for (String line : Files.readAllLines(metricsFile(), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                Map<String, Object> m = JsonCodec.readObject(line);
                if ("epoch".equals(m.get("type"))) {
                    r.add(m);
                }
            }
        }
        return r;
    }

    /** Atomically writes a JSON file in the run directory. */
    public void writeJson(String name, Map<String, Object> content) throws IOException {
        AtomicFiles.writeString(dir.resolve(name), JsonCodec.write(content) + "\n");
    }

    @Override
    public void close() throws IOException {
        if (metrics != null) {
            metrics.close();
        }
        if (csv != null) {
            csv.close();
        }
    }
}

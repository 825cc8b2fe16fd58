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
 * What a run leaves behind: metrics.jsonl (one JSON object per logged step and per epoch), summary.json,
 * config.json, checkpoints/latest.ckpt and plots/. Everything but the metrics log is replaced atomically; the log
 * is cut back to the checkpoint on resume so that no step is counted twice.
 */
public final class RunDirectory implements AutoCloseable {
    private final Path dir;
    private BufferedWriter metrics;

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
        } else {
            AtomicFiles.writeString(f, "");
        }
        metrics = Files.newBufferedWriter(f, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** Appends one record to metrics.jsonl. */
    public void log(Map<String, Object> record) {
        try {
            metrics.write(JsonCodec.write(record));
            metrics.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + metricsFile() + ": " + e.getMessage(), e);
        }
    }

    /** Flushes metrics.jsonl to the file. */
    public void flush() {
        try {
            metrics.flush();
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
    }
}

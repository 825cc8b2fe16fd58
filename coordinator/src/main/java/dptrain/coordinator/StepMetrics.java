package dptrain.coordinator;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the cluster's steps took, for metrics.jsonl, summary.json and the progress line: per step (its time, the
 * parameters' send time, the data plane's bytes), per worker (compute and wait of its last shard, on its
 * {@link JobBoard.Slot}), over the run (means), and the start-of-job distribution check fed with each step. Used by the
 * step thread only.
 */
final class StepMetrics {
    private final JobBoard board;
    private final DistributionCheck check;
    private double lastStepMs;
    private double lastParamsMs;
    private long steps;
    private double sumWaitMs;
    private double sumComputeMs;
    private long shardsAccepted;
    private double sumParamsMs;
    /** Payload bytes on the data plane: parameters sent and gradient messages accepted, this step and in all. */
    private long stepWireBytes;
    private long wireBytes;
    // the start-of-job "is distribution worth it" measurement, over the step under way
    private final Map<Integer, Double> stepCompute = new HashMap<>();
    private double stepComputeTotal;
    private int stepSamples;
    private long lastStartNanos;
    private long firstStartNanos;
    private boolean checkToReport;

    StepMetrics(JobBoard board, DistributionCheck check) {
        this.board = board;
        this.check = check;
    }

    /** A step starts at now: the previous one (its full period, update included) goes to the check; prints a verdict. */
    void stepStarts(long now, PrintStream log) {
        if (lastStartNanos != 0 && !stepCompute.isEmpty() && stepSamples > 0) {
            double critical = 0;
            for (double c : stepCompute.values()) {
                critical = Math.max(critical, c);
            }
            boolean warm = DistributionCheck.warm((int) steps, (now - firstStartNanos) / 1e9);
            if (check.record(warm, (now - lastStartNanos) / 1e6, critical, stepComputeTotal / stepSamples,
                    stepCompute.size())) {
                log.println(DistributionCheck.line(check.result()));
                checkToReport = true;
            }
        }
        if (firstStartNanos == 0) {
            firstStartNanos = now;
        }
        lastStartNanos = now;
        stepCompute.clear();
        stepComputeTotal = 0;
        stepSamples = 0;
        stepWireBytes = 0;
    }

    /** Parameters of this many payload bytes went to a worker. */
    void sent(long bytes) {
        stepWireBytes += bytes;
    }

    /** Worker w's gradients of a shard of size samples are in: bytes of payload, computed in computeNanos. */
    void shardIn(JobBoard.Slot w, long bytes, long computeNanos, int size, long stepStartNanos) {
        stepWireBytes += bytes;
        double perSample = (double) computeNanos / Math.max(1, size);
        w.nanosPerSample = w.nanosPerSample == 0 ? perSample : 0.8 * w.nanosPerSample + 0.2 * perSample;
        w.lastComputeMs = computeNanos / 1e6;
        w.lastWaitMs = (System.nanoTime() - stepStartNanos) / 1e6;
        w.shardsDone++;
        sumComputeMs += computeNanos / 1e6;
        stepCompute.merge(w.id, computeNanos / 1e6, Double::sum);
        stepComputeTotal += computeNanos / 1e6;
        stepSamples += size;
        sumWaitMs += w.lastWaitMs;
        shardsAccepted++;
    }

    /** The step that started at t0 ended at t1, every live worker having its parameters at paramsDone. */
    void stepEnds(long t0, long paramsDone, long t1) {
        lastStepMs = (t1 - t0) / 1e6;
        lastParamsMs = (paramsDone - t0) / 1e6;
        steps++;
        sumParamsMs += lastParamsMs;
        wireBytes += stepWireBytes;
    }

    /** Per live worker: compute / wait of its last shard, and the drops so far. */
    String statusLine(long drops) {
        StringBuilder sb = new StringBuilder();
        for (JobBoard.Slot w : board.live()) {
            sb.append(String.format(Locale.ROOT, " w%d %.1f/%.1fms", w.id, w.lastComputeMs, w.lastWaitMs));
        }
        if (drops > 0) {
            sb.append(" drops ").append(drops);
        }
        return sb.toString().trim();
    }

    /** The last step's figures, per worker, drops, membership events, and the check's verdict once it has one. */
    void describeStep(Map<String, Object> r, Map<String, Long> dropped) {
        r.put("workers", board.live().size());
        r.put("step_ms", lastStepMs);
        r.put("params_send_ms", lastParamsMs);
        r.put("wire_bytes", stepWireBytes);
        Map<String, Object> per = new LinkedHashMap<>();
        for (JobBoard.Slot w : board.workers.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("live", w.live);
            m.put("compute_ms", w.lastComputeMs);
            m.put("wait_ms", w.lastWaitMs);
            m.put("communication_ms", Math.max(0, w.lastWaitMs - w.lastComputeMs));
            m.put("shards", w.shardsDone);
            per.put(Integer.toString(w.id), m);
        }
        r.put("per_worker", per);
        r.put("dropped", dropped);
        String e;
        List<String> events = new ArrayList<>();
        while ((e = board.events.poll()) != null) {
            events.add(e);
        }
        if (!events.isEmpty()) {
            r.put("events", events);
        }
        if (checkToReport) {
            r.put("distribution_check", check.result());
            checkToReport = false;
        }
    }

    /** The run's figures for summary.json. */
    void describeRun(Map<String, Object> s, Map<String, Long> dropped) {
        s.put("data_plane_mac", board.job.secret() != null ? "aes-gcm" : "none");
        s.put("workers_joined", board.workersJoined.get());
        s.put("workers_lost", board.workersLost.get());
        s.put("shards_reassigned", board.shardsReassigned.get());
        s.put("shards_reasked", board.shardsReasked.get());
        s.put("workers_refused", board.workersRefused.get());
        s.put("dropped_messages", dropped);
        if (check.result() != null) {
            s.put("distribution_check", check.result());
        }
        s.put("wire_precision", board.job.wire().toString());
        if (steps > 0) {
            s.put("mean_params_send_ms", sumParamsMs / steps);
            // Parameters to every live worker plus the K shards' gradients and batch statistics, payload only.
            s.put("wire_bytes_per_step", (double) wireBytes / steps);
        }
        if (shardsAccepted > 0) {
            s.put("mean_shard_compute_ms", sumComputeMs / shardsAccepted);
            s.put("mean_shard_wait_ms", sumWaitMs / shardsAccepted);
        }
    }
}

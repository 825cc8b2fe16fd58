package dptrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DistributionCheckTest {
    /** Feeds warm-up steps (ignored: wildly slow) and then the window of identical steps. */
    static Map<String, Object> measure(int batch, int shards, double stepMs, double computeMs, double perSampleMs,
                                       int workers) {
        DistributionCheck c = new DistributionCheck(batch, shards);
        for (int i = 0; i < 7; i++) {
            assertFalse(c.record(false, 1000, 900, 9, workers));
        }
        for (int i = 0; i < DistributionCheck.WINDOW; i++) {
            boolean done = c.record(true, stepMs, computeMs, perSampleMs, workers);
            assertEquals(i == DistributionCheck.WINDOW - 1, done);
        }
        assertFalse(c.record(true, stepMs, computeMs, perSampleMs, workers), "reported once");
        return c.result();
    }

    @Test
    void computeBoundModelWantsMoreWorkers() {
        // 40 ms of compute per step on one worker, 2 ms of exchange with 2 workers: T(8) = 5 + 8 is best of 1..8.
        Map<String, Object> r = measure(100, 8, 22, 20, 0.4, 2);
        assertEquals(10.0, r.get("compute_to_communication"));
        assertEquals(8, r.get("best_workers"));
        assertTrue(r.get("verdict").toString().startsWith("more workers would help"), r.toString());
    }

    @Test
    void communicationBoundModelIsAtItsBest() {
        // T(1) = 40 + 10, T(2) = 20 + 20, T(4) = 10 + 40.
        Map<String, Object> r = measure(100, 8, 40, 20, 0.4, 2);
        assertEquals(1.0, r.get("compute_to_communication"));
        assertEquals(2, r.get("best_workers"));
        assertTrue(r.get("verdict").toString().startsWith("this is about the best"), r.toString());
        assertEquals(Map.of("1", 50.0, "2", 40.0, "4", 50.0, "8", 85.0, "16", 162.5), r.get("projected_step_ms"));
    }

    @Test
    void smallModelIsBetterOnOneWorkerAndShardsCapTheCount() {
        Map<String, Object> r = measure(100, 2, 25, 5, 0.1, 2);
        assertEquals(1, r.get("best_workers"));
        assertTrue(r.get("verdict").toString().startsWith("fewer workers"), r.toString());
        Map<String, Object> capped = measure(100, 2, 22, 20, 0.4, 2);
        assertEquals(2, capped.get("best_workers"));
        assertTrue(capped.get("verdict").toString().contains("2 virtual shards cap"), capped.toString());
        assertTrue(DistributionCheck.line(capped).startsWith("distribution check (steps 8-27, 2 workers)"),
                DistributionCheck.line(capped));
    }

    @Test
    void nothingBeforeTheWindowIsFull() {
        DistributionCheck c = new DistributionCheck(100, 2);
        c.record(true, 10, 5, 0.1, 2);
        assertNull(c.result());
        assertFalse(DistributionCheck.warm(100, 9.9));
        assertFalse(DistributionCheck.warm(4, 60));
        assertTrue(DistributionCheck.warm(5, 10));
    }
}

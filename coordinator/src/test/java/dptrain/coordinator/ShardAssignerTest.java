package dptrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which live worker gets which shards: by measured speed, ties to fewer shards then the lower id. */
class ShardAssignerTest {
    private static JobBoard.Slot worker(int id, double nanosPerSample) {
        JobBoard.Slot s = new JobBoard.Slot(id, null, "ipc", 2000 + id, "h", id);
        s.nanosPerSample = nanosPerSample;
        return s;
    }

    @Test
    void oneWorkerTakesEveryShard() {
        int[][] plan = ShardAssigner.plan(List.of(worker(1, 0)), new int[] {0, 1, 2, 3}, 100, 4);
        assertArrayEquals(new int[][] {{0, 1, 2, 3}}, plan);
    }

    @Test
    void unmeasuredOrEqualWorkersShareEvenlyInIdOrder() {
        assertArrayEquals(new int[][] {{0, 2}, {1, 3}},
                ShardAssigner.plan(List.of(worker(1, 0), worker(2, 0)), new int[] {0, 1, 2, 3}, 100, 4));
        assertArrayEquals(new int[][] {{0, 3}, {1}, {2}},
                ShardAssigner.plan(List.of(worker(1, 5), worker(2, 5), worker(3, 5)), new int[] {0, 1, 2, 3}, 100, 4));
    }

    @Test
    void aSlowerWorkerGetsFewerShardsAndOrphansGoToTheFreeOnes() {
        // worker 2 takes three times as long per sample: it gets one shard of four, the third (a tie at 7500 ns
        // going to the worker holding fewer shards)
        int[][] plan = ShardAssigner.plan(List.of(worker(1, 100), worker(2, 300)), new int[] {0, 1, 2, 3}, 100, 4);
        assertArrayEquals(new int[][] {{0, 1, 3}, {2}}, plan);
        // a lost worker's two shards, given to the two that are left
        plan = ShardAssigner.plan(List.of(worker(1, 100), worker(3, 100)), new int[] {1, 3}, 100, 4);
        assertArrayEquals(new int[][] {{1}, {3}}, plan);
    }

    @Test
    void aWorkerLeftWithoutShardsIsPulledTowardTheFastestOnlyOnAWholeStep() {
        JobBoard.Slot fast = worker(1, 100);
        JobBoard.Slot slow = worker(2, 10_000);
        int[][] plan = ShardAssigner.plan(List.of(fast, slow), new int[] {0, 1}, 100, 2);
        assertArrayEquals(new int[][] {{0, 1}, {}}, plan);
        assertEquals(0.7 * 10_000 + 0.3 * 100, slow.nanosPerSample, 1e-9);
        ShardAssigner.plan(List.of(fast, slow), new int[] {1}, 100, 2); // a reassignment: no pull
        assertEquals(0.7 * 10_000 + 0.3 * 100, slow.nanosPerSample, 1e-9);
        assertEquals(100, fast.nanosPerSample);
    }

    @Test
    void noLiveWorkerIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> ShardAssigner.plan(List.of(), new int[] {0}, 100, 1));
    }
}

package dptrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The one pool of a JVM's threads: every task and element exactly once, on its lanes, and failures reach the caller. */
class ComputePoolTest {
    @Test
    void everyElementOnceForAnyThreadCount() {
        String caller = Thread.currentThread().getName();
        for (int threads : new int[] {1, 2, 3, 5}) {
            Set<String> helpersSeen = ConcurrentHashMap.newKeySet();
            try (ComputePool p = new ComputePool(threads, "test-apply", 0)) {
                for (int rep = 0; rep < 20; rep++) {
                    for (int n : new int[] {0, 7, ComputePool.MIN_PARALLEL_ELEMENTS, 433_890}) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(n);
                        Set<String> names = ConcurrentHashMap.newKeySet();
                        p.forRanges(n, (from, to) -> {
                            names.add(Thread.currentThread().getName());
                            for (int i = from; i < to; i++) {
                                hits.incrementAndGet(i);
                            }
                        });
                        for (int i = 0; i < n; i++) {
                            assertEquals(1, hits.get(i), "element " + i + " of " + n + " with " + threads + " threads");
                        }
                        if (threads == 1 || n < ComputePool.MIN_PARALLEL_ELEMENTS) {
                            assertEquals(Set.of(caller), names, threads + " threads, n " + n);
                        }
                        names.stream().filter(s -> s.startsWith("test-apply-")).forEach(helpersSeen::add);
                    }
                }
            }
            // Ranges go to whichever lane is free, the caller's too: over many jobs the helpers take some.
            assertEquals(threads > 1, !helpersSeen.isEmpty(), threads + " threads: " + helpersSeen);
        }
    }

    /** Helpers that park at once (spin 0) are woken by every job: many short jobs with pauses between them. */
    @Test
    void everyTaskOnceOnItsOwnLaneWithParkedHelpers() throws InterruptedException {
        try (ComputePool p = new ComputePool(3, "test-lanes", 0)) {
            Set<String> helpersSeen = ConcurrentHashMap.newKeySet();
            for (int job = 0; job < 300; job++) {
                int count = 1 + job % 40;
                AtomicIntegerArray hits = new AtomicIntegerArray(count);
                String[] laneThread = new String[p.threads()];
                p.run(count, (task, lane) -> {
                    hits.incrementAndGet(task);
                    String me = Thread.currentThread().getName();
                    synchronized (laneThread) {
                        if (laneThread[lane] == null) {
                            laneThread[lane] = me;
                        }
                        assertEquals(laneThread[lane], me, "lane " + lane + " ran on two threads");
                    }
                    if (lane > 0) {
                        helpersSeen.add(me);
                    }
                });
                for (int k = 0; k < count; k++) {
                    assertEquals(1, hits.get(k), "job " + job + " task " + k);
                }
                if (laneThread[0] != null) {
                    assertEquals(Thread.currentThread().getName(), laneThread[0], "lane 0 is the caller");
                }
                if (job % 50 == 0) {
                    Thread.sleep(20); // long enough for every helper to park
                }
            }
            assertTrue(!helpersSeen.isEmpty(), "no task ever ran on a helper");
        }
    }

    @Test
    void aFailingTaskFailsTheCallAndThePoolGoesOn() {
        try (ComputePool p = new ComputePool(2, "test-apply", ComputePool.SPIN_NANOS)) {
            var e = assertThrows(IllegalStateException.class, () -> p.forRanges(1 << 16, (from, to) -> {
                if (from > 0) {
                    throw new ArithmeticException("boom");
                }
            }));
            assertTrue(e.getMessage().contains("boom"), e.getMessage());
            AtomicIntegerArray hits = new AtomicIntegerArray(10);
            p.run(10, (task, lane) -> hits.incrementAndGet(task));
            for (int k = 0; k < 10; k++) {
                assertEquals(1, hits.get(k));
            }
        }
    }

    @Test
    void tooManyTasksOrAClosedPoolAreRefused() {
        ComputePool p = new ComputePool(2, "test-apply", 0);
        assertThrows(IllegalArgumentException.class, () -> p.run(ComputePool.MAX_TASKS + 1, (task, lane) -> { }));
        p.close();
        assertThrows(IllegalStateException.class, () -> p.run(1, (task, lane) -> { }));
    }
}

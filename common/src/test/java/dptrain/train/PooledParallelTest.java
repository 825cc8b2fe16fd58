package dptrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The coordinator's parallel-for: every element exactly once, on several threads, and failures reach the caller. */
class PooledParallelTest {
    @Test
    void everyElementOnceForAnyThreadCount() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            try (PooledParallel p = new PooledParallel(threads, "test-apply")) {
                for (int n : new int[] {0, 7, LocalShardExecutor.MIN_PARALLEL_ELEMENTS, 433_890}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    java.util.Set<String> names = java.util.concurrent.ConcurrentHashMap.newKeySet();
                    p.forRanges(n, (from, to) -> {
                        names.add(Thread.currentThread().getName());
                        for (int i = from; i < to; i++) {
                            hits.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, hits.get(i), "element " + i + " of " + n + " with " + threads + " threads");
                    }
                    boolean parallel = threads > 1 && n >= LocalShardExecutor.MIN_PARALLEL_ELEMENTS;
                    assertEquals(parallel, names.contains("test-apply"), threads + " threads, n " + n + ": " + names);
                }
            }
        }
    }

    @Test
    void aFailingRangeFailsTheCall() {
        try (PooledParallel p = new PooledParallel(2, "test-apply")) {
            var e = assertThrows(IllegalStateException.class, () -> p.forRanges(1 << 16, (from, to) -> {
                if (from > 0) {
                    throw new ArithmeticException("boom");
                }
            }));
            assertTrue(e.getMessage().contains("boom"), e.getMessage());
        }
    }
}

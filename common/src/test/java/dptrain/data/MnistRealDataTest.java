package dptrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Checks against the real MNIST files when a data directory ($DPTRAIN_DATA_DIR or ~/.dptrain/mnist) has them. */
class MnistRealDataTest {

    @Test
    void loadsRealMnistWhenInstalled() {
        Path dir = MnistFetcher.resolveDataDir(null);
        assumeTrue(MnistFetcher.isInstalled(dir), "no MNIST installed in " + dir);
        Mnist.verifyChecksums(dir);
        long start = System.nanoTime();
        Mnist mnist = Mnist.load(dir, true, false);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 5_000, "loading took " + millis + " ms");
        assertEquals(60_000, mnist.train().size());
        assertEquals(10_000, mnist.test().size());
        assertArrayEquals(new int[] {1, 28, 28}, mnist.train().sampleShape());
        assertEquals(5, mnist.train().label(0));
        assertEquals(7, mnist.test().label(0));
        int[] counts = new int[10];
        for (int label : mnist.train().labels()) {
            counts[label]++;
        }
        assertArrayEquals(new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, counts);
        float max = 0;
        for (float v : mnist.test().x()) {
            max = Math.max(max, v);
        }
        assertEquals(1f, max);
    }
}

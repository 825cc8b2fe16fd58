package dptrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DatasetTest {

    /** Four samples of shape {2, 3}, labels 2, 0, 1, 2 (three classes). */
    static Dataset small() {
        float[] x = new float[4 * 6];
        for (int i = 0; i < x.length; i++) {
            x[i] = i * 0.5f;
        }
        return Dataset.of("small", x, new int[] {2, 0, 1, 2}, new int[] {2, 3}, 3);
    }

    @Test
    void basicAccessors() {
        Dataset d = small();
        assertEquals("small", d.name());
        assertEquals(4, d.size());
        assertEquals(6, d.sampleSize());
        assertArrayEquals(new int[] {2, 3}, d.sampleShape());
        assertEquals(3, d.classes());
        assertEquals(1, d.label(2));
        float[] dest = new float[8];
        d.copySample(1, dest, 2);
        assertArrayEquals(new float[] {0, 0, 3f, 3.5f, 4f, 4.5f, 5f, 5.5f}, dest);
    }

    @Test
    void ofCopiesItsInputs() {
        float[] x = {1, 2};
        int[] labels = {0, 1};
        Dataset d = Dataset.of("c", x, labels, new int[] {1}, 2);
        x[0] = 9;
        labels[0] = 1;
        assertEquals(1f, d.x()[0]);
        assertEquals(0, d.label(0));
    }

    @Test
    void oneHotMatchesLabels() {
        assertArrayEquals(new float[] {
            0, 0, 1,
            1, 0, 0,
            0, 1, 0,
            0, 0, 1}, small().oneHot());
    }

    @Test
    void subsetCopiesRowsInGivenOrder() {
        Dataset d = small();
        Dataset s = d.subset(new int[] {3, 1}, "picked");
        assertEquals("picked", s.name());
        assertEquals(2, s.size());
        assertArrayEquals(new int[] {2, 0}, s.labels());
        assertEquals(9f, s.x()[0]);
        assertEquals(3f, s.x()[6]);
        assertArrayEquals(new int[] {2, 3}, s.sampleShape());
        assertThrows(IndexOutOfBoundsException.class, () -> d.subset(new int[] {4}, "bad"));
    }

    @Test
    void firstN() {
        Dataset f = small().firstN(2);
        assertEquals(2, f.size());
        assertArrayEquals(new int[] {2, 0}, f.labels());
        assertEquals(12, f.x().length);
        assertEquals(small().size(), small().firstN(4).size());
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class, () -> small().firstN(5));
        assertTrue(tooMany.getMessage().contains("1..4"), tooMany.getMessage());
        assertThrows(IllegalArgumentException.class, () -> small().firstN(0));
    }

    @Test
    void rejectsInconsistentArrays() {
        assertThrows(IllegalArgumentException.class,
                () -> Dataset.of("bad", new float[5], new int[] {0, 1}, new int[] {3}, 2));
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
                () -> Dataset.of("bad", new float[2], new int[] {0, 2}, new int[] {1}, 2));
        assertTrue(label.getMessage().contains("index 1 is 2"), label.getMessage());
    }

    @Test
    void fingerprintDependsOnContentNotName() {
        Dataset a = small();
        Dataset renamed = a.subset(new int[] {0, 1, 2, 3}, "other name");
        assertEquals(a.fingerprint(), renamed.fingerprint());
        assertEquals(64, a.fingerprint().length());
        float[] x = a.x().clone();
        x[5] += 1e-6f;
        Dataset changedPixel = Dataset.of("small", x, a.labels(), a.sampleShape(), 3);
        assertNotEquals(a.fingerprint(), changedPixel.fingerprint());
        Dataset changedLabel = Dataset.of("small", a.x(), new int[] {2, 0, 1, 1}, a.sampleShape(), 3);
        assertNotEquals(a.fingerprint(), changedLabel.fingerprint());
        Dataset reshaped = Dataset.of("small", a.x(), a.labels(), new int[] {6}, 3);
        assertNotEquals(a.fingerprint(), reshaped.fingerprint());
    }

    @Test
    void fingerprintFollowsTheDocumentedLayout() {
        Dataset one = Dataset.of("one", new float[] {0.5f}, new int[] {1}, new int[] {1}, 2);
        // SHA-256 of big-endian ints 1 (size), 2 (classes), 1 (rank), 1 (shape), 0x3F000000 (0.5f), 1 (label);
        // pinned so that a change of the layout, which would break cross-node checks, is noticed
        assertEquals("73b778106a0da95bc42665fa0b760d297ce6dc93e60733e07a86928c50a5ea53", one.fingerprint());
    }
}

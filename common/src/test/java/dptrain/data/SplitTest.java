package dptrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SplitTest {

    /** n samples of one float each whose value is the original index, so rows can be traced. */
    static Dataset indexed(int n) {
        float[] x = new float[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            labels[i] = i % 10;
        }
        return Dataset.of("train", x, labels, new int[] {1}, 10);
    }

    static int[] origins(Dataset d) {
        return d.size() == 0 ? new int[0] : toInts(d.x());
    }

    static int[] toInts(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (int) values[i];
        }
        return out;
    }

    @Test
    void sizesFollowTheRoundedFraction() {
        Split split = Split.of(indexed(1000), 0.1, 7);
        assertEquals(100, split.validation().size());
        assertEquals(900, split.train().size());
        assertEquals(3, Split.of(indexed(25), 0.1, 7).validation().size());
        assertEquals(1, Split.of(indexed(10), 0.05, 7).validation().size());
    }

    @Test
    void partsAreDisjointCoveringAndSorted() {
        Split split = Split.of(indexed(500), 0.3, 42);
        int[] train = origins(split.train());
        int[] validation = origins(split.validation());
        assertTrue(isAscending(train));
        assertTrue(isAscending(validation));
        int[] all = new int[train.length + validation.length];
        System.arraycopy(train, 0, all, 0, train.length);
        System.arraycopy(validation, 0, all, train.length, validation.length);
        Arrays.sort(all);
        for (int i = 0; i < 500; i++) {
            assertEquals(i, all[i]);
        }
        for (int i = 0; i < train.length; i++) {
            assertEquals(train[i] % 10, split.train().label(i));
        }
    }

    @Test
    void sameSeedSameSplitDifferentSeedDifferentSplit() {
        Dataset data = indexed(300);
        int[] first = origins(Split.of(data, 0.2, 123).validation());
        int[] again = origins(Split.of(data, 0.2, 123).validation());
        int[] other = origins(Split.of(data, 0.2, 124).validation());
        assertArrayEquals(first, again);
        assertFalse(Arrays.equals(first, other));
    }

    @Test
    void permutationIsPinnedAcrossJvms() {
        // SplittableRandom's output for a seed is specified, so this exact permutation must never change
        assertArrayEquals(new int[] {0, 8, 3, 1, 6, 5, 2, 9, 7, 4}, Split.permutation(10, 2024L));
    }

    @Test
    void zeroFractionKeepsEverything() {
        Dataset data = indexed(50);
        Split split = Split.of(data, 0.0, 1);
        assertSame(data, split.train());
        assertEquals(0, split.validation().size());
        assertArrayEquals(new int[] {1}, split.validation().sampleShape());
    }

    @Test
    void fractionOutOfRangeNamesTheSetting() {
        for (double bad : new double[] {-0.1, 1.0, 1.5, Double.NaN}) {
            dptrain.util.InvalidSetting e = assertThrows(dptrain.util.InvalidSetting.class,
                    () -> Split.of(indexed(10), bad, 1));
            assertEquals("validation_fraction", e.setting());
            assertTrue(e.getMessage().contains("validation_fraction"), e.getMessage());
            assertTrue(e.getMessage().contains("[0, 1)"), e.getMessage());
            assertTrue(e.getMessage().contains(String.valueOf(bad)), e.getMessage());
        }
    }

    @Test
    void fractionThatLeavesNoTrainingDataIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Split.of(indexed(2), 0.8, 1));
    }

    private static boolean isAscending(int[] values) {
        for (int i = 1; i < values.length; i++) {
            if (values[i] <= values[i - 1]) {
                return false;
            }
        }
        return true;
    }
}

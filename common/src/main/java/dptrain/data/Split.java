package dptrain.data;

import dptrain.util.InvalidSetting;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A seeded division of a training set into a training part and a held-out validation part.
 *
 * @param train the samples kept for training, in ascending original order
 * @param validation the held-out samples, in ascending original order
 */
public record Split(Dataset train, Dataset validation) {

    /**
     * Holds out {@code round(n * validationFraction)} samples chosen by a Fisher-Yates shuffle driven by
     * {@code new SplittableRandom(seed)}, so the split is the same on every JVM; fraction 0 keeps all.
     */
    public static Split of(Dataset train, double validationFraction, long seed) {
        InvalidSetting.require(validationFraction >= 0 && validationFraction < 1, "validation_fraction",
                validationFraction, "a number in [0, 1)");
        int n = train.size();
        int held = (int) Math.round(n * validationFraction);
        if (held == 0) {
            return new Split(train, train.subset(new int[0], train.name() + "-validation"));
        }
        if (held >= n) {
            throw new InvalidSetting("validation_fraction", validationFraction, "a fraction that leaves some of the "
                    + n + " samples for training");
        }
        int[] order = permutation(n, seed);
        int[] validationIndices = Arrays.copyOfRange(order, 0, held);
        int[] trainIndices = Arrays.copyOfRange(order, held, n);
        Arrays.sort(validationIndices);
        Arrays.sort(trainIndices);
        return new Split(train.subset(trainIndices, train.name() + "-train"),
                train.subset(validationIndices, train.name() + "-validation"));
    }

    /** Returns a permutation of 0..n-1 from a Fisher-Yates shuffle driven by SplittableRandom(seed). */
    static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }
}

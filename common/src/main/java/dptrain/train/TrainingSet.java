package dptrain.train;

import dptrain.util.InvalidSetting;
import dptrain.data.Dataset;
import dptrain.data.Mnist;
import dptrain.data.Split;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one recipe for a job's data, used by the trainer and by every worker so both hold the same samples at the
 * same indices: MNIST's first {@code trainSamples} training images (0: all), split by a seeded validation
 * fraction. Loads are shared within a JVM, so in-process workers do not hold copies.
 */
public final class TrainingSet {
    private TrainingSet() {}

    private static final Map<Path, Mnist> MNIST = new ConcurrentHashMap<>();
    private static final Map<String, Split> SPLITS = new ConcurrentHashMap<>();

    /** MNIST from dir, normalized and flat, loaded once per JVM. */
    public static Mnist mnist(Path dir) {
        return MNIST.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> Mnist.load(d, true, true));
    }

    /** The train/validation split of a job. */
    public static Split split(Mnist mnist, int trainSamples, double validationFraction, long seed) {
        String key = System.identityHashCode(mnist) + "/" + trainSamples + "/" + validationFraction + "/" + seed;
        return SPLITS.computeIfAbsent(key, k -> {
            Dataset train = mnist.train();
            if (trainSamples > 0) {
                if (trainSamples > train.size()) {
                    throw new InvalidSetting("train_samples", trainSamples, "1.." + train.size() + ", or 0 for all");
                }
                train = train.firstN(trainSamples);
            }
            return Split.of(train, validationFraction, seed);
        });
    }
}

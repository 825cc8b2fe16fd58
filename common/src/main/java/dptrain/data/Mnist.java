package dptrain.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The MNIST training and test sets, loaded from a directory holding the four raw (uncompressed) IDX files.
 *
 * @param train the 60 000 training samples
 * @param test the 10 000 test samples
 */
public record Mnist(Dataset train, Dataset test) {

    /** File name of the training images. */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    /** File name of the training labels. */
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    /** File name of the test images. */
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    /** File name of the test labels. */
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    /** The four file names, in a fixed order. */
    public static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

    /** Expected SHA-256 (lowercase hex) of each of the four files. */
    public static final Map<String, String> SHA256 = Map.of(
            TRAIN_IMAGES, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            TRAIN_LABELS, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            TEST_IMAGES, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            TEST_LABELS, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");

    /** Expected size in bytes of each of the four files. */
    public static final Map<String, Long> SIZES = Map.of(
            TRAIN_IMAGES, 16L + 60_000L * 784,
            TRAIN_LABELS, 8L + 60_000L,
            TEST_IMAGES, 16L + 10_000L * 784,
            TEST_LABELS, 8L + 10_000L);

    /** Number of classes (digits 0..9). */
    public static final int CLASSES = 10;
    /** Image height and width in pixels. */
    public static final int SIDE = 28;

    /** Checks that both datasets are present. */
    public Mnist {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
    }

    /**
     * Loads both sets from {@code dir}; {@code normalize} scales pixels to 0..1 (pixel/255f), else keeps
     * 0..255; {@code flatten} gives sample shape {784}, else {1, 28, 28}.
     */
    public static Mnist load(Path dir, boolean normalize, boolean flatten) {
        Path root = checkDirectory(dir);
        float[] pixelValue = new float[256];
        for (int p = 0; p < 256; p++) {
            pixelValue[p] = normalize ? p / 255f : p;
        }
        int[] shape = flatten ? new int[] {SIDE * SIDE} : new int[] {1, SIDE, SIDE};
        Dataset train = loadSet("train", root, TRAIN_IMAGES, TRAIN_LABELS, pixelValue, shape);
        Dataset test = loadSet("test", root, TEST_IMAGES, TEST_LABELS, pixelValue, shape);
        return new Mnist(train, test);
    }

    /** Checks the SHA-256 of each of the four files against {@link #SHA256}, failing on the first mismatch. */
    public static void verifyChecksums(Path dir) {
        verifyChecksums(checkDirectory(dir), SHA256);
    }

    static void verifyChecksums(Path dir, Map<String, String> expected) {
        for (String name : FILES) {
            Path file = existingFile(dir, name);
            String actual = Checksums.sha256(file);
            if (!actual.equals(expected.get(name))) {
                throw DataException.about(file, "SHA-256 mismatch: expected " + expected.get(name)
                        + " but the file has " + actual + " (corrupt or not the original MNIST " + name + ")");
            }
        }
    }

    private static Path checkDirectory(Path dir) {
        Path root = dir.toAbsolutePath();
        if (!Files.isDirectory(root)) {
            throw DataException.about(root, (Files.exists(root) ? "is not a directory" : "does not exist")
                    + "; expected the MNIST data directory holding " + String.join(", ", FILES)
                    + " (install them with scripts/fetch-mnist or point --data-dir at them)");
        }
        return root;
    }

    private static Path existingFile(Path dir, String name) {
        Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            throw DataException.about(file, "does not exist; expected the MNIST file " + name + " in " + dir
                    + " (uncompressed; install it with MnistFetcher or place it there by hand)");
        }
        return file;
    }

    private static Dataset loadSet(String name, Path dir, String imagesName, String labelsName,
            float[] pixelValue, int[] shape) {
        IdxFile images = IdxFile.read(existingFile(dir, imagesName));
        IdxFile labels = IdxFile.read(existingFile(dir, labelsName));
        int[] imageDims = images.dims();
        int[] labelDims = labels.dims();
        if (images.type() != IdxFile.UBYTE) {
            throw DataException.about(images.path(), "element type is " + IdxFile.typeName(images.type())
                    + ", expected " + IdxFile.typeName(IdxFile.UBYTE) + " for MNIST images");
        }
        if (imageDims.length != 3 || imageDims[1] != SIDE || imageDims[2] != SIDE) {
            throw DataException.about(images.path(), "image dimensions are " + IdxFile.shape(imageDims)
                    + " (" + imageDims.length + " dims), expected 3 dims N x 28 x 28");
        }
        if (labels.type() != IdxFile.UBYTE) {
            throw DataException.about(labels.path(), "element type is " + IdxFile.typeName(labels.type())
                    + ", expected " + IdxFile.typeName(IdxFile.UBYTE) + " for MNIST labels");
        }
        if (labelDims.length != 1) {
            throw DataException.about(labels.path(), "label dimensions are " + IdxFile.shape(labelDims)
                    + " (" + labelDims.length + " dims), expected 1 dim (one label per image)");
        }
        if (imageDims[0] != labelDims[0]) {
            throw new DataException("image/label count mismatch: " + images.path() + " holds " + imageDims[0]
                    + " images but " + labels.path() + " holds " + labelDims[0]
                    + " labels; expected the same count");
        }
        byte[] labelBytes = labels.ubyteData();
        int[] labelValues = new int[labelBytes.length];
        for (int i = 0; i < labelBytes.length; i++) {
            int label = labelBytes[i] & 0xFF;
            if (label >= CLASSES) {
                throw DataException.about(labels.path(), "label at index " + i + " is " + label
                        + ", expected 0.." + (CLASSES - 1));
            }
            labelValues[i] = label;
        }
        byte[] pixels = images.ubyteData();
        float[] x = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            x[i] = pixelValue[pixels[i] & 0xFF];
        }
        return Dataset.wrap(name, x, labelValues, shape, CLASSES);
    }
}

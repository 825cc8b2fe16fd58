package dptrain.data;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An immutable in-memory set of labelled samples: {@code size()} rows of {@code sampleSize()} floats
 * (row-major) plus one class label per row.
 */
public final class Dataset {

    private final String name;
    private final float[] x;
    private final int[] labels;
    private final int[] sampleShape;
    private final int sampleSize;
    private final int classes;
    private volatile String fingerprint;

    private Dataset(String name, float[] x, int[] labels, int[] sampleShape, int classes) {
        this.name = Objects.requireNonNull(name, "name");
        this.x = Objects.requireNonNull(x, "x");
        this.labels = Objects.requireNonNull(labels, "labels");
        this.sampleShape = Objects.requireNonNull(sampleShape, "sampleShape");
        this.classes = classes;
        this.sampleSize = checkShape(sampleShape);
        if (classes < 1) {
            throw new IllegalArgumentException("dataset " + name + ": classes must be >= 1, got " + classes);
        }
        if ((long) labels.length * sampleSize != x.length) {
            throw new IllegalArgumentException("dataset " + name + ": x has " + x.length + " floats but "
                    + labels.length + " labels x sample size " + sampleSize + " = "
                    + (long) labels.length * sampleSize);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("dataset " + name + ": label at index " + i + " is "
                        + labels[i] + ", expected 0.." + (classes - 1));
            }
        }
    }

    /** Creates a dataset from copies of the given arrays (x is row-major, labels.length rows). */
    public static Dataset of(String name, float[] x, int[] labels, int[] sampleShape, int classes) {
        return new Dataset(name, x.clone(), labels.clone(), sampleShape.clone(), classes);
    }

    /** Creates a dataset that takes ownership of the arrays; callers must not touch them afterwards. */
    static Dataset wrap(String name, float[] x, int[] labels, int[] sampleShape, int classes) {
        return new Dataset(name, x, labels, sampleShape.clone(), classes);
    }

    private static int checkShape(int[] shape) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("sampleShape must have at least one dimension");
        }
        long size = 1;
        for (int d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("sampleShape " + Arrays.toString(shape) + " has a dimension < 1");
            }
            size *= d;
            if (size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("sampleShape " + Arrays.toString(shape) + " is too large");
            }
        }
        return (int) size;
    }

    /** Returns the name of this dataset, e.g. "train" or "test". */
    public String name() {
        return name;
    }

    /** Returns the number of samples. */
    public int size() {
        return labels.length;
    }

    /** Returns the number of floats per sample (the product of the sample shape). */
    public int sampleSize() {
        return sampleSize;
    }

    /** Returns a copy of the shape of one sample, e.g. {784} or {1, 28, 28}. */
    public int[] sampleShape() {
        return sampleShape.clone();
    }

    /** Returns the number of classes; every label lies in 0..classes-1. */
    public int classes() {
        return classes;
    }

    /** Returns the backing sample array (size x sampleSize, row-major) without copying; do not modify it. */
    public float[] x() {
        return x;
    }

    /** Returns the backing label array without copying; do not modify it. */
    public int[] labels() {
        return labels;
    }

    /** Returns the label of sample {@code i}. */
    public int label(int i) {
        return labels[i];
    }

    /** Copies sample {@code i} into {@code dest} starting at {@code destOffset}. */
    public void copySample(int i, float[] dest, int destOffset) {
        Objects.checkIndex(i, labels.length);
        System.arraycopy(x, i * sampleSize, dest, destOffset, sampleSize);
    }

    /** Returns the labels as one-hot rows (size x classes), like the book's one_hot_label option. */
    public float[] oneHot() {
        float[] out = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            out[i * classes + labels[i]] = 1f;
        }
        return out;
    }

    /** Returns a new dataset holding copies of the samples at {@code indices}, in that order. */
    public Dataset subset(int[] indices, String subsetName) {
        float[] subX = new float[Math.multiplyExact(indices.length, sampleSize)];
        int[] subLabels = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            if (i < 0 || i >= labels.length) {
                throw new IndexOutOfBoundsException("subset index " + i + " (position " + k + ") is outside 0.."
                        + (labels.length - 1) + " of dataset " + name);
            }
            System.arraycopy(x, i * sampleSize, subX, k * sampleSize, sampleSize);
            subLabels[k] = labels[i];
        }
        return new Dataset(subsetName, subX, subLabels, sampleShape.clone(), classes);
    }

    /** Returns a copy of the first {@code n} samples (the book's overfitting study trains on these). */
    public Dataset firstN(int n) {
        if (n < 1 || n > labels.length) {
            throw new IllegalArgumentException("cannot take the first " + n + " samples of dataset " + name
                    + ": expected 1.." + labels.length);
        }
        return new Dataset(name + "[:" + n + "]", Arrays.copyOf(x, n * sampleSize), Arrays.copyOf(labels, n),
                sampleShape.clone(), classes);
    }

    /**
     * Returns a hex SHA-256 identifying the contents (not the name): big-endian int32 size, classes,
     * shape rank and shape, then the bits of every float ({@link Float#floatToIntBits}), then the labels.
     */
    public String fingerprint() {
        String cached = fingerprint;
        if (cached == null) {
            cached = computeFingerprint();
            fingerprint = cached;
        }
        return cached;
    }

    private String computeFingerprint() {
        MessageDigest sha = dptrain.util.Hashes.sha256();
        ByteBuffer header = ByteBuffer.allocate(12 + 4 * sampleShape.length);
        header.putInt(labels.length).putInt(classes).putInt(sampleShape.length);
        for (int d : sampleShape) {
            header.putInt(d);
        }
        sha.update(header.array());
        int chunk = 1 << 14;
        int[] bits = new int[chunk];
        ByteBuffer bytes = ByteBuffer.allocate(4 * chunk);
        IntBuffer ints = bytes.asIntBuffer();
        for (int start = 0; start < x.length; start += chunk) {
            int n = Math.min(chunk, x.length - start);
            for (int k = 0; k < n; k++) {
                bits[k] = Float.floatToIntBits(x[start + k]);
            }
            ints.clear();
            ints.put(bits, 0, n);
            sha.update(bytes.array(), 0, 4 * n);
        }
        for (int start = 0; start < labels.length; start += chunk) {
            int n = Math.min(chunk, labels.length - start);
            ints.clear();
            ints.put(labels, start, n);
            sha.update(bytes.array(), 0, 4 * n);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    @Override
    public String toString() {
        return "Dataset[" + name + ": " + labels.length + " samples of shape " + Arrays.toString(sampleShape)
                + ", " + classes + " classes]";
    }
}

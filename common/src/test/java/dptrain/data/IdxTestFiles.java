package dptrain.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helper that writes IDX files (and small fake MNIST directories) byte by byte. */
final class IdxTestFiles {

    private IdxTestFiles() {
    }

    /** Returns the complete bytes of an IDX file with the given header fields and element bytes. */
    static byte[] idx(int type, int[] dims, byte[] elements) {
        ByteBuffer out = ByteBuffer.allocate(4 + 4 * dims.length + elements.length);
        out.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) {
            out.putInt(d);
        }
        return out.put(elements).array();
    }

    /** Writes bytes to a file, creating parent directories. */
    static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes an IDX file. */
    static Path writeIdx(Path file, int type, int[] dims, byte[] elements) {
        return write(file, idx(type, dims, elements));
    }

    /** Encodes values 0..255 as unsigned bytes. */
    static byte[] ubytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    /** Encodes big-endian int16 values. */
    static byte[] shorts(int... values) {
        ByteBuffer out = ByteBuffer.allocate(2 * values.length);
        for (int v : values) {
            out.putShort((short) v);
        }
        return out.array();
    }

    /** Encodes big-endian int32 values. */
    static byte[] ints(int... values) {
        ByteBuffer out = ByteBuffer.allocate(4 * values.length);
        for (int v : values) {
            out.putInt(v);
        }
        return out.array();
    }

    /** Encodes big-endian float32 values. */
    static byte[] floats(float... values) {
        ByteBuffer out = ByteBuffer.allocate(4 * values.length);
        for (float v : values) {
            out.putFloat(v);
        }
        return out.array();
    }

    /** Encodes big-endian float64 values. */
    static byte[] doubles(double... values) {
        ByteBuffer out = ByteBuffer.allocate(8 * values.length);
        for (double v : values) {
            out.putDouble(v);
        }
        return out.array();
    }

    /** Pixel value of fake image {@code image} at position {@code pixel}. */
    static int pixel(int image, int pixel) {
        return (image * 31 + pixel * 7) % 256;
    }

    /** Label of fake sample {@code image}. */
    static int label(int image) {
        return (image * 3) % 10;
    }

    /** Writes a fake MNIST images file of {@code n} 28x28 images. */
    static Path writeImages(Path file, int n) {
        byte[] pixels = new byte[n * 784];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 784; p++) {
                pixels[i * 784 + p] = (byte) pixel(i, p);
            }
        }
        return writeIdx(file, IdxFile.UBYTE, new int[] {n, 28, 28}, pixels);
    }

    /** Writes a fake MNIST labels file of {@code n} labels. */
    static Path writeLabels(Path file, int n) {
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) label(i);
        }
        return writeIdx(file, IdxFile.UBYTE, new int[] {n}, labels);
    }

    /** Writes the four MNIST files (small, fake content) into {@code dir}. */
    static Path mnistDir(Path dir, int nTrain, int nTest) {
        writeImages(dir.resolve("train-images-idx3-ubyte"), nTrain);
        writeLabels(dir.resolve("train-labels-idx1-ubyte"), nTrain);
        writeImages(dir.resolve("t10k-images-idx3-ubyte"), nTest);
        writeLabels(dir.resolve("t10k-labels-idx1-ubyte"), nTest);
        return dir;
    }
}

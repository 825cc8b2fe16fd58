package dptrain.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * An IDX file (the format of the MNIST distribution) held fully in memory.
 *
 * <p>Layout: two zero bytes, a type byte, a dimension-count byte, that many big-endian int32
 * dimensions, then the elements in big-endian order. Any element type and rank is accepted.
 */
public final class IdxFile {

    /** Type byte for unsigned 8-bit elements. */
    public static final int UBYTE = 0x08;
    /** Type byte for signed 8-bit elements. */
    public static final int BYTE = 0x09;
    /** Type byte for big-endian signed 16-bit elements. */
    public static final int SHORT = 0x0B;
    /** Type byte for big-endian signed 32-bit elements. */
    public static final int INT = 0x0C;
    /** Type byte for big-endian 32-bit IEEE floats. */
    public static final int FLOAT = 0x0D;
    /** Type byte for big-endian 64-bit IEEE doubles. */
    public static final int DOUBLE = 0x0E;

    private static final String HEADER_SHAPE = "an IDX file starts with 0x00 0x00 <type> <ndims>";
    private static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 16;

    private final Path file;
    private final int type;
    private final int[] dims;
    private final long elementCount;
    private final byte[] data;

    private IdxFile(Path file, int type, int[] dims, long elementCount, byte[] data) {
        this.file = file;
        this.type = type;
        this.dims = dims;
        this.elementCount = elementCount;
        this.data = data;
    }

    /** Reads and validates a whole IDX file; every problem is reported as a {@link DataException}. */
    public static IdxFile read(Path file) {
        Path path = file.toAbsolutePath();
        if (!Files.exists(path)) {
            throw DataException.about(path, "does not exist; expected an IDX file");
        }
        if (!Files.isRegularFile(path)) {
            throw DataException.about(path, "is not a regular file; expected an IDX file");
        }
        if (!Files.isReadable(path)) {
            throw DataException.about(path, "is not readable (check permissions)");
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return read(path, channel);
        } catch (IOException e) {
            throw DataException.about(path, "cannot be read", e);
        }
    }

    private static IdxFile read(Path path, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        ByteBuffer magic = readExactly(channel, 4, path, fileSize, "the 4-byte IDX magic number");
        int zero0 = magic.get(0) & 0xFF;
        int zero1 = magic.get(1) & 0xFF;
        int type = magic.get(2) & 0xFF;
        int ndims = magic.get(3) & 0xFF;
        if (zero0 != 0 || zero1 != 0) {
            String hint = zero0 == 0x1F && zero1 == 0x8B ? " (it looks gzip-compressed; gunzip it first)" : "";
            throw DataException.about(path, "not an IDX file: it starts with "
                    + hex(magic.array()) + " but " + HEADER_SHAPE + hint);
        }
        if (elementSize(type) == 0) {
            throw DataException.about(path, "unknown IDX element type " + hex(type) + "; expected one of "
                    + knownTypes());
        }
        if (ndims == 0) {
            throw DataException.about(path, "header declares 0 dimensions; expected at least 1");
        }
        ByteBuffer dimBytes = readExactly(channel, 4 * ndims, path, fileSize,
                "a header of " + (4 + 4 * ndims) + " bytes for " + ndims + " dimensions");
        int[] dims = new int[ndims];
        long count = 1;
        for (int d = 0; d < ndims; d++) {
            dims[d] = dimBytes.getInt(4 * d);
            if (dims[d] < 0) {
                throw DataException.about(path, "header dimension " + d + " (of " + ndims + ") is " + dims[d]
                        + "; dimensions must be >= 0");
            }
            count = multiplyOrHuge(count, dims[d]);
        }
        long headerBytes = 4L + 4L * ndims;
        long dataBytes = count > MAX_DATA_BYTES ? Long.MAX_VALUE : count * elementSize(type);
        if (dataBytes > MAX_DATA_BYTES) {
            throw DataException.about(path, "header dims " + shape(dims) + " of " + typeName(type)
                    + " describe more than " + MAX_DATA_BYTES + " data bytes, which this reader cannot hold");
        }
        long expected = headerBytes + dataBytes;
        if (fileSize != expected) {
            String verdict = fileSize < expected
                    ? "the file is truncated"
                    : "it has " + (fileSize - expected) + " unexpected trailing bytes";
            throw DataException.about(path, "header (" + typeName(type) + ", dims " + shape(dims)
                    + ") implies " + expected + " bytes (" + headerBytes + " header + " + dataBytes
                    + " data) but the file is " + fileSize + " bytes: " + verdict);
        }
        ByteBuffer body = readExactly(channel, (int) dataBytes, path, fileSize, expected + " bytes");
        if (channel.read(ByteBuffer.allocate(1)) > 0) {
            throw DataException.about(path, "grew while being read; expected exactly " + expected + " bytes");
        }
        return new IdxFile(path, type, dims, count, body.array());
    }

    private static long multiplyOrHuge(long a, int b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static ByteBuffer readExactly(FileChannel channel, int n, Path path, long fileSize, String wanted)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(new byte[n]).order(ByteOrder.BIG_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw DataException.about(path, "is truncated: it is " + fileSize + " bytes, too short for "
                        + wanted + " (" + HEADER_SHAPE + ", then 4 bytes per dimension, then the data)");
            }
        }
        return buffer;
    }

    /** Returns the number of bytes per element for an IDX type byte, or 0 if the type is unknown. */
    public static int elementSize(int type) {
        switch (type) {
            case UBYTE:
            case BYTE:
                return 1;
            case SHORT:
                return 2;
            case INT:
            case FLOAT:
                return 4;
            case DOUBLE:
                return 8;
            default:
                return 0;
        }
    }

    /** Returns a readable name such as "0x08 (unsigned byte)" for an IDX type byte. */
    public static String typeName(int type) {
        switch (type) {
            case UBYTE:
                return "0x08 (unsigned byte)";
            case BYTE:
                return "0x09 (signed byte)";
            case SHORT:
                return "0x0B (int16)";
            case INT:
                return "0x0C (int32)";
            case FLOAT:
                return "0x0D (float32)";
            case DOUBLE:
                return "0x0E (float64)";
            default:
                return hex(type) + " (unknown)";
        }
    }

    private static String knownTypes() {
        return Arrays.stream(new int[] {UBYTE, BYTE, SHORT, INT, FLOAT, DOUBLE})
                .mapToObj(IdxFile::typeName)
                .collect(Collectors.joining(", "));
    }

    /** Formats dimensions as "60000x28x28". */
    public static String shape(int[] dims) {
        return Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining("x"));
    }

    private static String hex(int b) {
        return String.format("0x%02X", b);
    }

    private static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            out.append(out.length() == 0 ? "" : " ").append(hex(b & 0xFF));
        }
        return out.toString();
    }

    /** Returns the absolute path this file was read from. */
    public Path path() {
        return file;
    }

    /** Returns the element type byte, one of the type constants of this class. */
    public int type() {
        return type;
    }

    /** Returns a copy of the dimensions declared in the header. */
    public int[] dims() {
        return dims.clone();
    }

    /** Returns the number of elements (the product of the dimensions). */
    public long elementCount() {
        return elementCount;
    }

    /** Returns element {@code i} (in row-major order) converted to float. */
    public float getFloat(long i) {
        return (float) getDouble(i);
    }

    /** Returns element {@code i} (in row-major order) converted to double, exactly for every type. */
    public double getDouble(long i) {
        int at = offset(i);
        switch (type) {
            case UBYTE:
                return data[at] & 0xFF;
            case BYTE:
                return data[at];
            case SHORT:
                return (short) ((data[at] << 8) | (data[at + 1] & 0xFF));
            case INT:
                return intAt(at);
            case FLOAT:
                return Float.intBitsToFloat(intAt(at));
            case DOUBLE:
                return Double.longBitsToDouble(((long) intAt(at) << 32) | (intAt(at + 4) & 0xFFFF_FFFFL));
            default:
                throw new IllegalStateException("unreachable type " + type);
        }
    }

    /** Returns all elements converted to float, in row-major order. */
    public float[] toFloatArray() {
        float[] out = new float[(int) elementCount];
        if (type == UBYTE) {
            for (int i = 0; i < out.length; i++) {
                out[i] = data[i] & 0xFF;
            }
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = getFloat(i);
            }
        }
        return out;
    }

    /** Returns a copy of the element bytes of an unsigned-byte (0x08) file, without the header. */
    public byte[] rawBytes() {
        return ubyteData().clone();
    }

    /** Returns the element bytes of an unsigned-byte file without copying; callers must not modify them. */
    byte[] ubyteData() {
        if (type != UBYTE) {
            throw new IllegalStateException(file + ": rawBytes() needs element type " + typeName(UBYTE)
                    + " but the file holds " + typeName(type));
        }
        return data;
    }

    private int offset(long i) {
        if (i < 0 || i >= elementCount) {
            throw new IndexOutOfBoundsException("element " + i + " of " + elementCount + " in " + file);
        }
        return (int) i * elementSize(type);
    }

    private int intAt(int at) {
        return (data[at] << 24) | ((data[at + 1] & 0xFF) << 16) | ((data[at + 2] & 0xFF) << 8) | (data[at + 3] & 0xFF);
    }

    @Override
    public String toString() {
        return "IdxFile[" + file + ", " + typeName(type) + ", " + shape(dims) + "]";
    }
}

package dptrain.cluster.transport;

import java.nio.ByteBuffer;

/** Turns payload bytes into floats or ints and back (little-endian, Frame.ORDER). */
public final class Vectors {
    private Vectors() {}

    /** Reads n floats from payload at byte offset into dst[0, n). */
    public static void readFloats(byte[] payload, int byteOffset, float[] dst, int n) {
        readFloats(payload, byteOffset, dst, 0, n);
    }

    /** n little-endian floats from payload at byteOffset into dst at dstOffset. */
    public static void readFloats(byte[] payload, int byteOffset, float[] dst, int dstOffset, int n) {
        ByteBuffer.wrap(payload, byteOffset, n * 4).slice().order(Frame.ORDER).asFloatBuffer().get(dst, dstOffset, n);
    }

    /** n floats of src from srcOffset, little-endian, into payload at byteOffset. */
    public static void writeFloats(float[] src, int srcOffset, byte[] payload, int byteOffset, int n) {
        ByteBuffer.wrap(payload, byteOffset, n * 4).slice().order(Frame.ORDER).asFloatBuffer().put(src, srcOffset, n);
    }

    /** n little-endian ints from payload at byteOffset into dst at dstOffset. */
    public static void readInts(byte[] payload, int byteOffset, int[] dst, int dstOffset, int n) {
        ByteBuffer.wrap(payload, byteOffset, n * 4).slice().order(Frame.ORDER).asIntBuffer().get(dst, dstOffset, n);
    }
}

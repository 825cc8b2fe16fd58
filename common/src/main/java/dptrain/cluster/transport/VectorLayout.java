package dptrain.cluster.transport;

import dptrain.tensor.WirePrecision;

/**
 * Where the values of a data-plane vector lie in its payload: a[0, aLen) (parameters, or gradient sums) at the wire
 * precision's 2 or 4 bytes each, then b[0, bLen) (batch-norm state or statistics, always floats) at 4 bytes each,
 * little-endian. With fp32 that is the plain float layout. Messages are cut at the boundary between the two parts
 * ({@link OutgoingMessage}), so every chunk holds whole values of one part.
 */
public record VectorLayout(int aLen, int bLen, WirePrecision precision) {
    /** Payload bytes of the whole vector. */
    public int totalBytes() {
        return aLen * precision.bytes() + bLen * 4;
    }

    /** The payload offset of value index (a's indices, then b's from aLen on; index = aLen + bLen gives the total). */
    public int byteOf(int index) {
        int e = precision.bytes();
        return index <= aLen ? index * e : aLen * e + (index - aLen) * 4;
    }

    /** The value index at a payload offset that starts a value ({@link #byteOf}'s inverse). */
    public int indexOf(int byteOffset) {
        int e = precision.bytes();
        int split = aLen * e;
        return byteOffset <= split ? byteOffset / e : aLen + (byteOffset - split) / 4;
    }

    /** Decodes payload bytes [byteFrom, byteTo) into a and b at the values' indices. */
    public void read(byte[] payload, int byteFrom, int byteTo, float[] a, float[] b) {
        int split = aLen * precision.bytes();
        if (byteFrom < split) {
            int end = Math.min(byteTo, split);
            int from = indexOf(byteFrom);
            int n = indexOf(end) - from;
            if (precision == WirePrecision.FP32) {
                Vectors.readFloats(payload, byteFrom, a, from, n);
            } else {
                for (int i = 0, at = byteFrom; i < n; i++, at += 2) {
                    a[from + i] = precision.decode((short) ((payload[at] & 0xff) | (payload[at + 1] << 8)));
                }
            }
        }
        if (byteTo > split) {
            int start = Math.max(byteFrom, split);
            int from = indexOf(start) - aLen;
            Vectors.readFloats(payload, start, b, from, (byteTo - start) / 4);
        }
    }

    /** Encodes the values that payload bytes [byteFrom, byteTo) hold, from a and b, into those bytes. */
    public void write(float[] a, float[] b, byte[] payload, int byteFrom, int byteTo) {
        int split = aLen * precision.bytes();
        if (byteFrom < split) {
            int end = Math.min(byteTo, split);
            int from = indexOf(byteFrom);
            int n = indexOf(end) - from;
            if (precision == WirePrecision.FP32) {
                Vectors.writeFloats(a, from, payload, byteFrom, n);
            } else {
                for (int i = 0, at = byteFrom; i < n; i++, at += 2) {
                    short h = precision.encode(a[from + i]);
                    payload[at] = (byte) h;
                    payload[at + 1] = (byte) (h >>> 8);
                }
            }
        }
        if (byteTo > split) {
            int start = Math.max(byteFrom, split);
            Vectors.writeFloats(b, indexOf(start) - aLen, payload, start, (byteTo - start) / 4);
        }
    }
}

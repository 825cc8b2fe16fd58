package dptrain.cluster.transport;

import dptrain.tensor.WirePrecision;
import io.aeron.Publication;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One vector made ready to send: payload bytes (encrypted under the job secret, see {@link Authenticator}), and per
 * chunk a header with its CRC32C, nonce and tag. Prepared once, it can be offered to any number of publications (the
 * parameter broadcast is sealed once for every worker). A float vector's first part travels at the message's
 * {@link WirePrecision} ({@link VectorLayout}), which its frames name. Reused from message to message; allocates only
 * at construction.
 */
public final class OutgoingMessage {
    private final byte[] payload;
    private final UnsafeBuffer payloadBuf;
    private byte[] headers;
    private UnsafeBuffer headersBuf;
    private final int chunkBytes;
    private final Authenticator auth;
    private final Frame frame = new Frame();
    private final CRC32C crc = new CRC32C();
    /** Value offsets where a chunk must end (besides every chunkBytes), ascending; see {@link #cutAt}. */
    private int[] cutValues = new int[0];
    /** The cuts of the message being planned, in payload bytes (with the end of its first part), ascending. */
    private int[] cuts = new int[1];
    private int cutCount;
    /** How the first part of a float vector travels. */
    private WirePrecision precision = WirePrecision.FP32;
    private VectorLayout layout;
    /** Chunk c covers payload bytes [starts[c], starts[c + 1]). */
    private int[] starts;
    private int total;
    private int chunks;
    private float[] a;
    private int aLen;
    private float[] b;
    private int bLen;
    /** Or ints (assignments): ia[0, aLen) followed by ib[0, bLen). */
    private int[] ia;
    private int[] ib;

    /** Room for vectors of up to capacity 4-byte values, sent in chunks of at most chunkBytes payload bytes. */
    public OutgoingMessage(int capacity, int chunkBytes, Authenticator auth) {
        if (chunkBytes < 4 || chunkBytes % 4 != 0) {
            throw new IllegalArgumentException("chunk size must be a positive multiple of 4, got " + chunkBytes);
        }
        this.payload = new byte[Math.max(4, capacity * 4)];
        this.payloadBuf = new UnsafeBuffer(payload);
        int maxChunks = (payload.length + chunkBytes - 1) / chunkBytes + 1; // + 1: the cut after a 16-bit first part
        this.headers = new byte[maxChunks * Frame.LENGTH];
        this.headersBuf = new UnsafeBuffer(headers);
        this.chunkBytes = chunkBytes;
        this.auth = auth;
        this.starts = new int[maxChunks + 1];
    }

    /**
     * Also ends chunks at these value offsets (layer boundaries, from {@link dptrain.nn.Model#paramBoundaries()}), so
     * a receiver can use a layer's block as soon as it is in and a sender can send a block as soon as it is final.
     */
    public OutgoingMessage cutAt(int[] floatOffsets) {
        this.cutValues = java.util.Arrays.stream(floatOffsets).filter(o -> o > 0).sorted().distinct().toArray();
        this.cuts = new int[cutValues.length + 1];
        int maxChunks = (payload.length + chunkBytes - 1) / chunkBytes + cuts.length;
        this.starts = new int[maxChunks + 1];
        this.headers = new byte[maxChunks * Frame.LENGTH];
        this.headersBuf = new UnsafeBuffer(headers);
        return this;
    }

    /**
     * Float vectors go with their first part (a) at this precision, 2 or 4 bytes a value, and the second (b) in
     * floats; int vectors always in 4 bytes.
     */
    public OutgoingMessage precision(WirePrecision p) {
        this.precision = p;
        return this;
    }

    /** Lays out a[0, aLen) followed by b[0, bLen) with the given identity, and seals every chunk. */
    public void prepare(byte kind, long job, long step, long version, int shard, int sender,
                        float[] a, int aLen, float[] b, int bLen, long computeNanos, double lossSum) {
        begin(kind, job, step, version, shard, sender, a, aLen, b, bLen);
        for (int c = 0; c < chunks; c++) {
            seal(c, computeNanos, lossSum);
        }
    }

    /** Lays out the ints a[0, aLen) followed by b[0, bLen) with the given identity, and seals every chunk. */
    public void prepareInts(byte kind, long job, long step, long version, int shard, int sender,
                            int[] a, int aLen, int[] b, int bLen) {
        plan(kind, job, step, version, shard, sender, aLen, bLen, WirePrecision.FP32);
        this.a = null;
        this.b = null;
        this.ia = a;
        this.ib = b;
        for (int c = 0; c < chunks; c++) {
            seal(c, 0, 0);
        }
    }

    /**
     * Starts a message of a[0, aLen) followed by b[0, bLen) with the given identity and plans its chunks, copying
     * and sealing nothing yet: {@link #seal} does each chunk, when its floats are final. The arrays are read then.
     */
    public void begin(byte kind, long job, long step, long version, int shard, int sender,
                      float[] a, int aLen, float[] b, int bLen) {
        plan(kind, job, step, version, shard, sender, aLen, bLen, precision);
        this.a = a;
        this.b = b;
        this.ia = null;
        this.ib = null;
    }

    /** The identity and chunk plan of a message of aLen values at precision p, then bLen 4-byte values. */
    private void plan(byte kind, long job, long step, long version, int shard, int sender, int aLen, int bLen,
                      WirePrecision p) {
        int floats = aLen + bLen;
        if (floats * 4L > payload.length) {
            throw new IllegalArgumentException("vector of " + floats + " values exceeds this message's capacity of "
                    + payload.length / 4);
        }
        this.aLen = aLen;
        this.bLen = bLen;
        if (layout == null || layout.aLen() != aLen || layout.bLen() != bLen || layout.precision() != p) {
            layout = new VectorLayout(aLen, bLen, p); // once: a message carries one shape of vector
        }
        int e = p.bytes();
        int split = layout.byteOf(aLen);
        total = layout.totalBytes();
        // Chunks end at the given value offsets, and where the first part ends (its values may be shorter).
        cutCount = 0;
        for (int v : cutValues) {
            if (e != 4 && v > aLen && (cutCount == 0 || cuts[cutCount - 1] < split)) {
                cuts[cutCount++] = split;
            }
            int at = layout.byteOf(Math.min(v, floats));
            if (cutCount == 0 || cuts[cutCount - 1] < at) {
                cuts[cutCount++] = at;
            }
        }
        if (e != 4 && (cutCount == 0 || cuts[cutCount - 1] < split)) {
            cuts[cutCount++] = split;
        }
        int c = 0;
        int at = 0;
        int cut = 0;
        starts[0] = 0;
        do {
            int end = Math.min(total, at + chunkBytes);
            while (cut < cutCount && cuts[cut] <= at) {
                cut++;
            }
            if (cut < cutCount && cuts[cut] < end) {
                end = cuts[cut];
            }
            starts[++c] = end;
            at = end;
        } while (at < total);
        chunks = c;
        frame.kind = kind;
        frame.job = job;
        frame.step = step;
        frame.version = version;
        frame.shard = shard;
        frame.sender = sender;
        frame.total = total;
        frame.precision = (byte) p.code();
    }

    /** Copies chunk c's values in, writes its header (with these timings) and seals it. */
    public void seal(int c, long computeNanos, double lossSum) {
        int off = starts[c];
        int len = starts[c + 1] - off;
        copyValues(off, len);
        frame.computeNanos = computeNanos;
        frame.lossSum = lossSum;
        frame.offset = off;
        frame.length = len;
        frame.crc = 0;
        int h = c * Frame.LENGTH;
        frame.write(headersBuf, h);
        auth.seal(headers, h, payload, off, len);
        crc.reset();
        crc.update(payload, off, len); // of the bytes on the wire
        headersBuf.putInt(h + Frame.CRC_OFFSET, (int) crc.getValue(), Frame.ORDER);
    }

    /** Little-endian values for payload bytes [off, off + len) from a then b (floats, or ints for assignments). */
    private void copyValues(int off, int len) {
        if (ia == null) {
            layout.write(a, b, payload, off, off + len);
            return;
        }
        int from = off / 4;
        int to = (off + len) / 4;
        int aEnd = Math.min(to, aLen);
        if (from < aEnd) {
            put(from, a, ia, from, aEnd - from);
        }
        int bFrom = Math.max(from, aLen);
        if (bFrom < to) {
            put(bFrom, b, ib, bFrom - aLen, to - bFrom);
        }
    }

    /** n values from ints (when not null) or floats at srcFrom, little-endian at payload value index at. */
    private void put(int at, float[] floats, int[] ints, int srcFrom, int n) {
        ByteBuffer bytes = ByteBuffer.wrap(payload, at * 4, n * 4).slice().order(Frame.ORDER);
        if (ints != null) {
            bytes.asIntBuffer().put(ints, srcFrom, n);
        } else {
            bytes.asFloatBuffer().put(floats, srcFrom, n);
        }
    }

    /** Chunks of the prepared message. */
    public int chunks() {
        return chunks;
    }

    /** First payload byte of chunk c (c = chunks() gives the total). */
    public int chunkStart(int c) {
        return starts[c];
    }

    /** Payload bytes of the prepared message. */
    public int totalBytes() {
        return total;
    }

    /** Offers chunk c to the publication; returns Aeron's result (a position, or a negative status). */
    public long offer(Publication p, int c) {
        int off = starts[c];
        return p.offer(headersBuf, c * Frame.LENGTH, Frame.LENGTH, payloadBuf, off, starts[c + 1] - off);
    }

    /** Test hook: the header bytes of chunk c (to forge or corrupt in tests). */
    byte[] headerBytes() {
        return headers;
    }

    /** Test hook: the payload bytes. */
    byte[] payloadBytes() {
        return payload;
    }
}

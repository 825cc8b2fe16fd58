package dptrain.cluster.transport;

import io.aeron.Publication;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One vector made ready to send: payload bytes (encrypted under the job secret, see {@link Authenticator}), and per
 * chunk a header with its CRC32C, nonce and tag. Prepared once, it can be offered to any number of publications (the
 * parameter broadcast is sealed once for every worker). Reused from
 * message to message; allocates only at construction.
 */
public final class OutgoingMessage {
    private final byte[] payload;
    private final UnsafeBuffer payloadBuf;
    private final byte[] headers;
    private final UnsafeBuffer headersBuf;
    private final int chunkBytes;
    private final Authenticator auth;
    private final Frame frame = new Frame();
    private final CRC32C crc = new CRC32C();
    private int total;
    private int chunks;

    /** Room for vectors of up to capacityFloats floats, sent in chunks of at most chunkBytes payload bytes. */
    public OutgoingMessage(int capacityFloats, int chunkBytes, Authenticator auth) {
        if (chunkBytes < 4 || chunkBytes % 4 != 0) {
            throw new IllegalArgumentException("chunk size must be a positive multiple of 4, got " + chunkBytes);
        }
        this.payload = new byte[Math.max(4, capacityFloats * 4)];
        this.payloadBuf = new UnsafeBuffer(payload);
        int maxChunks = (payload.length + chunkBytes - 1) / chunkBytes;
        this.headers = new byte[maxChunks * Frame.LENGTH];
        this.headersBuf = new UnsafeBuffer(headers);
        this.chunkBytes = chunkBytes;
        this.auth = auth;
    }

    /** Lays out a[0, aLen) followed by b[0, bLen) with the given identity, and seals every chunk. */
    public void prepare(byte kind, long job, long step, long version, int shard, int sender,
                        float[] a, int aLen, float[] b, int bLen, long computeNanos, double lossSum) {
        int floats = aLen + bLen;
        if (floats * 4L > payload.length) {
            throw new IllegalArgumentException("vector of " + floats + " floats exceeds this message's capacity of "
                    + payload.length / 4);
        }
        ByteBuffer bb = ByteBuffer.wrap(payload).order(Frame.ORDER);
        bb.asFloatBuffer().put(a, 0, aLen);
        if (bLen > 0) {
            ByteBuffer tail = ByteBuffer.wrap(payload, aLen * 4, bLen * 4).slice().order(Frame.ORDER);
            tail.asFloatBuffer().put(b, 0, bLen);
        }
        total = floats * 4;
        chunks = Math.max(1, (total + chunkBytes - 1) / chunkBytes);
        frame.kind = kind;
        frame.job = job;
        frame.step = step;
        frame.version = version;
        frame.shard = shard;
        frame.sender = sender;
        frame.total = total;
        frame.computeNanos = computeNanos;
        frame.lossSum = lossSum;
        for (int c = 0; c < chunks; c++) {
            int off = c * chunkBytes;
            int len = Math.min(chunkBytes, total - off);
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
    }

    /** Chunks of the prepared message. */
    public int chunks() {
        return chunks;
    }

    /** Payload bytes of the prepared message. */
    public int totalBytes() {
        return total;
    }

    /** Offers chunk c to the publication; returns Aeron's result (a position, or a negative status). */
    public long offer(Publication p, int c) {
        int off = c * chunkBytes;
        int len = Math.min(chunkBytes, total - off);
        return p.offer(headersBuf, c * Frame.LENGTH, Frame.LENGTH, payloadBuf, off, len);
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

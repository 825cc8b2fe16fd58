package dptrain.cluster.transport;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The header every data-plane chunk carries (little-endian, {@link #LENGTH} bytes), read and written as a
 * flyweight. A vector (parameters, or one shard's gradient sums) is sent as chunks, each holding bytes
 * [offset, offset + length) of a payload of {@code total} bytes. The payload is encrypted and, with the header up to
 * the MAC field (CRC zeroed), authenticated by AES-GCM under the job secret ({@link Authenticator}); the CRC32C is of
 * the bytes on the wire, so corruption and forgery are told apart.
 *
 * <pre>
 *  0 magic "DPT1"   4 kind   5 precision of the vector's first part (WirePrecision code: 0 fp32, 1 bf16, 2 fp16)
 *  6 reserved(2)
 *  8 job id        16 step   24 parameter version
 * 32 shard (-1: parameters; assignments: how many shards they list)  36 sender (0: coordinator, else worker id)
 * 40 offset   44 length   48 total   52 CRC32C of the chunk's payload as sent
 * 56 compute nanos (gradients: the sender's time for this shard)   64 loss sum (gradients)
 * 72 MAC field: GCM nonce (12) and tag (16), 4 zero bytes; all zero when the job has no secret   104 payload
 * </pre>
 */
public final class Frame {
    /** Header bytes before the payload. */
    public static final int LENGTH = 104;
    /** Offset of the CRC field. */
    public static final int CRC_OFFSET = 52;
    /** Header bytes authenticated with the payload (the header up to the MAC field). */
    public static final int MAC_OFFSET = 72;
    /** MAC bytes. */
    public static final int MAC_LENGTH = 32;
    /** "DPT1" as a little-endian int. */
    public static final int MAGIC = 0x31545044;
    /** Kind: parameters and state, coordinator → worker. */
    public static final byte PARAMS = 1;
    /** Kind: one shard's gradient sums and batch statistics, worker → coordinator. */
    public static final byte GRADS = 2;
    /**
     * Kind: a step's shards for one worker, coordinator → worker, on the stream its parameters take (and ahead of
     * them): {@code shard} ints naming the shards, then the step's global mini-batch as indices into the training set.
     */
    public static final byte ASSIGN = 3;
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    public int magic;
    public byte kind;
    /** How the vector's first part (parameters, gradient sums) travels: a {@link dptrain.tensor.WirePrecision} code. */
    public byte precision;
    public long job;
    public long step;
    public long version;
    public int shard;
    public int sender;
    public int offset;
    public int length;
    public int total;
    public int crc;
    public long computeNanos;
    public double lossSum;

    /** Reads the header fields at index. */
    public Frame read(DirectBuffer b, int i) {
        magic = b.getInt(i, ORDER);
        kind = b.getByte(i + 4);
        precision = b.getByte(i + 5);
        job = b.getLong(i + 8, ORDER);
        step = b.getLong(i + 16, ORDER);
        version = b.getLong(i + 24, ORDER);
        shard = b.getInt(i + 32, ORDER);
        sender = b.getInt(i + 36, ORDER);
        offset = b.getInt(i + 40, ORDER);
        length = b.getInt(i + 44, ORDER);
        total = b.getInt(i + 48, ORDER);
        crc = b.getInt(i + 52, ORDER);
        computeNanos = b.getLong(i + 56, ORDER);
        lossSum = b.getDouble(i + 64, ORDER);
        return this;
    }

    /** Writes the header fields (not the MAC) at index. */
    public void write(MutableDirectBuffer b, int i) {
        b.putInt(i, MAGIC, ORDER);
        b.putByte(i + 4, kind);
        b.putByte(i + 5, precision);
        b.putShort(i + 6, (short) 0, ORDER);
        b.putLong(i + 8, job, ORDER);
        b.putLong(i + 16, step, ORDER);
        b.putLong(i + 24, version, ORDER);
        b.putInt(i + 32, shard, ORDER);
        b.putInt(i + 36, sender, ORDER);
        b.putInt(i + 40, offset, ORDER);
        b.putInt(i + 44, length, ORDER);
        b.putInt(i + 48, total, ORDER);
        b.putInt(i + 52, crc, ORDER);
        b.putLong(i + 56, computeNanos, ORDER);
        b.putDouble(i + 64, lossSum, ORDER);
    }

    /** Identity fields for messages of one vector (everything but offset, length, crc, timings). */
    public boolean sameMessage(Frame o) {
        return kind == o.kind && precision == o.precision && job == o.job && step == o.step && version == o.version
                && shard == o.shard && sender == o.sender && total == o.total;
    }

    /** Copies every field from o. */
    public void copyFrom(Frame o) {
        magic = o.magic;
        kind = o.kind;
        precision = o.precision;
        job = o.job;
        step = o.step;
        version = o.version;
        shard = o.shard;
        sender = o.sender;
        offset = o.offset;
        length = o.length;
        total = o.total;
        crc = o.crc;
        computeNanos = o.computeNanos;
        lossSum = o.lossSum;
    }

    @Override
    public String toString() {
        String what = kind == PARAMS ? "params" : kind == GRADS ? "grads" : kind == ASSIGN ? "assign" : "kind " + kind;
        return what + " job " + job + " step " + step
                + " version " + version + " shard " + shard + " from " + sender + " [" + offset + "+" + length + " of "
                + total + "]";
    }
}

package dptrain.cluster.transport;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.zip.CRC32C;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * Reassembles chunked vectors from a subscription and checks every chunk before anything is used: magic, lengths
 * and sequence, CRC32C, MAC, and (through the {@link Sink}) job, step, version, sender and shard. A message
 * that fails any check is dropped whole and counted once by reason; only complete, verified messages reach the
 * sink. Chunks of one publisher arrive in order, so assembly is kept per publisher session. Used by one polling
 * thread; the counts may be read from any thread.
 */
public final class Receiver {
    /** Decides which messages are wanted and takes the complete ones. */
    public interface Sink {
        /** Null if a message with this header is wanted now (asked at its first chunk and again when complete). */
        DropReason check(Frame f);

        /** A complete, verified message: payload bytes [0, f.total) of payload. */
        void deliver(Frame f, byte[] payload);
    }

    private final Sink sink;
    private final Authenticator auth;
    private final int maxTotal;
    private final Int2ObjectHashMap<Partial> bySession = new Int2ObjectHashMap<>();
    private final AtomicLongArray drops = new AtomicLongArray(DropReason.values().length);
    private final Frame frame = new Frame();
    private final byte[] headerCopy = new byte[Frame.LENGTH];
    private final CRC32C crc = new CRC32C();
    private final FragmentHandler assembler = new io.aeron.FragmentAssembler(this::onMessage);

    /** A receiver of vectors of at most maxTotalBytes, checked with auth, delivered to sink. */
    public Receiver(Sink sink, Authenticator auth, int maxTotalBytes) {
        this.sink = sink;
        this.auth = auth;
        this.maxTotal = maxTotalBytes;
    }

    private static final class Partial {
        final Frame first = new Frame();
        byte[] payload;
        int received;
        boolean rejected;
        boolean active;
    }

    /** Polls up to limit fragments from the subscription (Aeron fragments are reassembled into chunks first). */
    public int poll(io.aeron.Subscription s, int limit) {
        return s.poll(assembler, limit);
    }

    /** Handles one chunk (one whole Aeron message). */
    void onMessage(DirectBuffer buffer, int offset, int length, Header header) {
        if (length < Frame.LENGTH) {
            count(DropReason.MALFORMED);
            return;
        }
        Frame f = frame.read(buffer, offset);
        if (f.magic != Frame.MAGIC) {
            count(DropReason.MALFORMED);
            return;
        }
        Partial p = bySession.get(header.sessionId());
        if (p == null) {
            p = new Partial();
            bySession.put(header.sessionId(), p);
        }
        if (f.length != length - Frame.LENGTH || f.offset < 0 || f.total <= 0 || f.total > maxTotal
                || f.length <= 0 || f.offset > f.total - f.length) {
            reject(p, f, DropReason.BAD_LENGTH);
            return;
        }
        if (f.offset == 0) {
            // A new message starts; an unfinished one from this publisher is lost.
            if (p.active && !p.rejected) {
                count(DropReason.BAD_LENGTH);
            }
            DropReason why = sink.check(f);
            p.first.copyFrom(f);
            p.active = true;
            p.received = 0;
            p.rejected = false;
            if (why != null) {
                p.rejected = true;
                count(why);
                return;
            }
            if (p.payload == null || p.payload.length < f.total) {
                p.payload = new byte[maxTotal + Authenticator.SCRATCH];
            }
        } else if (!p.active || !p.first.sameMessage(f)) {
            reject(p, f, DropReason.BAD_LENGTH);
            return;
        } else if (p.rejected) {
            return; // the rest of a message already dropped and counted
        } else if (f.offset != p.received) {
            reject(p, f, DropReason.BAD_LENGTH);
            return;
        }
        buffer.getBytes(offset, headerCopy, 0, Frame.LENGTH);
        buffer.getBytes(offset + Frame.LENGTH, p.payload, f.offset, f.length);
        crc.reset();
        crc.update(p.payload, f.offset, f.length);
        if ((int) crc.getValue() != f.crc) {
            reject(p, f, DropReason.BAD_CHECKSUM);
            return;
        }
        if (!auth.open(headerCopy, 0, p.payload, f.offset, f.length)) {
            reject(p, f, DropReason.BAD_MAC);
            return;
        }
        p.received += f.length;
        if (p.received == f.total) {
            p.active = false;
            DropReason why = sink.check(f);
            if (why != null) {
                count(why);
                return;
            }
            sink.deliver(f, p.payload);
        }
    }

    private void reject(Partial p, Frame f, DropReason why) {
        p.first.copyFrom(f);
        p.first.offset = 0;
        p.active = true;
        p.rejected = true;
        count(why);
    }

    private void count(DropReason why) {
        drops.incrementAndGet(why.ordinal());
    }

    /** How many messages were dropped for the reason. */
    public long dropped(DropReason why) {
        return drops.get(why.ordinal());
    }

    /** All drops so far by metric name (reasons with none left out). */
    public java.util.Map<String, Long> dropCounts() {
        java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (DropReason r : DropReason.values()) {
            long n = drops.get(r.ordinal());
            if (n > 0) {
                m.put(r.metricName(), n);
            }
        }
        return m;
    }

    /** Total messages dropped. */
    public long totalDropped() {
        long s = 0;
        for (int i = 0; i < drops.length(); i++) {
            s += drops.get(i);
        }
        return s;
    }
}

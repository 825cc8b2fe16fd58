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
 *
 * <p>A publisher sends one message at a time, each chunk once, in ascending offsets from 0 or descending from the
 * end. A chunk of the message under way that is not the next one (one missing, repeated or out of order) drops it
 * (BAD_LENGTH); so does a bad CRC (BAD_CHECKSUM) or MAC (BAD_MAC). The rest of a dropped message is skipped uncounted
 * until another message begins, or until the dropped one begins again at the end it was sent from (a sender sending
 * it again, whole; met in its middle, its next chunk tells which way it goes). A message left unfinished when another
 * begins is dropped (BAD_LENGTH) and reported {@link Sink#lost}, unless what begins is that same message again from
 * its start: then it is counted but not lost. Chunks verified before the damage have reached {@link Sink#chunk}; none
 * after it does.
 */
public final class Receiver {
    /** Decides which messages are wanted and takes the complete ones. */
    public interface Sink {
        /** Null if a message with this header is wanted now (asked at its first chunk and again when complete). */
        DropReason check(Frame f);

        /** A complete, verified message: payload bytes [0, f.total) of payload. */
        void deliver(Frame f, byte[] payload);

        /**
         * One verified chunk of a wanted message: payload bytes [f.offset, f.offset + f.length) are in place (before
         * {@link #deliver} for the last one). For receivers that use a vector before all of it is in.
         */
        default void chunk(Frame f, byte[] payload) {}

        /**
         * A message of first's identity (its first chunk's header) was lost to damage (a block missing, repeated, out
         * of order, corrupt or forged: why); for receivers that ask for it again. Called once per message dropped.
         */
        default void lost(Frame first, DropReason why) {}
    }

    private final Sink sink;
    private final Authenticator auth;
    private final int maxTotal;
    private final Int2ObjectHashMap<Partial> bySession = new Int2ObjectHashMap<>();
    private final AtomicLongArray drops = new AtomicLongArray(DropReason.values().length);
    private final Frame frame = new Frame();
    private final byte[] headerCopy = new byte[Frame.LENGTH];
    private final byte[] scratch = new byte[Authenticator.SCRATCH];
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
        /** Payload bytes [lo, hi) are in, checked (while the message is not rejected). */
        int lo;
        int hi;
        /** Chunks come in ascending offsets (from 0) or descending (from the end). */
        boolean ascending;
        /** Its first chunk was one of its ends, so ascending is known (a dropped message can begin again). */
        boolean begun;
        boolean rejected;
        boolean active;

        /** Whether f is this message's first chunk in its order (where a sender sending it anew begins). */
        boolean startsAt(Frame f) {
            return ascending ? f.offset == 0 : f.offset + f.length == f.total;
        }

        /** Whether f is the chunk that comes next after [lo, hi) in this message's order. */
        boolean continuesWith(Frame f) {
            return ascending ? f.offset == hi : f.offset + f.length == lo;
        }
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
        boolean same = p.active && p.first.sameMessage(f);
        boolean atEnd = f.offset == 0 || f.offset + f.length == f.total;
        if (same && p.rejected) {
            if (!p.begun) {
                // Met in its middle: its next chunk tells which way it goes, so that a restart can be told from it.
                // A next chunk at one of its ends says nothing (a first chunk coming late looks the same).
                boolean up = f.offset == p.hi;
                boolean down = f.offset + f.length == p.lo;
                if ((up || down) && !atEnd) {
                    p.begun = true;
                    p.ascending = up;
                    return;
                }
                if (up || down || !atEnd) {
                    return;
                }
            } else if (!p.startsAt(f)) {
                return; // the rest of a message already dropped and counted
            }
            // else: the dropped message begins again (sent anew)
        }
        if (f.length != length - Frame.LENGTH || f.offset < 0 || f.total <= 0 || f.total > maxTotal
                || f.length <= 0 || f.offset > f.total - f.length) {
            reject(p, f, DropReason.BAD_LENGTH);
            return;
        }
        boolean underWay = same && !p.rejected;
        boolean restart = underWay && !p.continuesWith(f) && p.startsAt(f);
        if (underWay && !restart) {
            if (!p.continuesWith(f)) {
                reject(p, f, DropReason.BAD_LENGTH); // a chunk of it missing, repeated or out of order
                return;
            }
        } else if (atEnd) {
            // A new message starts (chunks go in ascending or, for gradients streamed during the backward pass,
            // descending order), or a dropped one again; an unfinished one from this publisher is lost, unless this
            // is that very message sent anew from its start (then it is not lost: it is coming again whole).
            if (p.active && !p.rejected) {
                count(DropReason.BAD_LENGTH);
                if (!restart) {
                    sink.lost(p.first, DropReason.BAD_LENGTH);
                }
            }
            DropReason why = sink.check(f);
            p.first.copyFrom(f);
            p.active = true;
            p.rejected = false;
            p.ascending = f.offset == 0;
            p.begun = true;
            p.lo = p.ascending ? 0 : f.total;
            p.hi = p.lo;
            if (why != null) {
                reject(p, f, why, false); // not wanted: nothing is lost
                return;
            }
            if (p.payload == null || p.payload.length < f.total + Authenticator.SCRATCH) {
                p.payload = new byte[maxTotal + Authenticator.SCRATCH];
            }
        } else {
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
        // open() puts the tag just after the chunk: keep what is there (the next chunk, in descending order)
        System.arraycopy(p.payload, f.offset + f.length, scratch, 0, Authenticator.SCRATCH);
        boolean authentic = auth.open(headerCopy, 0, p.payload, f.offset, f.length);
        System.arraycopy(scratch, 0, p.payload, f.offset + f.length, Authenticator.SCRATCH);
        if (!authentic) {
            reject(p, f, DropReason.BAD_MAC);
            return;
        }
        advance(p, f);
        sink.chunk(f, p.payload);
        if (p.hi - p.lo == f.total) {
            p.active = false;
            DropReason why = sink.check(f);
            if (why != null) {
                count(why);
                return;
            }
            sink.deliver(f, p.payload);
        }
    }

    private static void advance(Partial p, Frame f) {
        if (p.ascending) {
            p.hi = f.offset + f.length;
        } else {
            p.lo = f.offset;
        }
    }

    /** Drops the message f belongs to (counted once); its further chunks are skipped. */
    private void reject(Partial p, Frame f, DropReason why) {
        reject(p, f, why, true);
    }

    private void reject(Partial p, Frame f, DropReason why, boolean damaged) {
        if (!(p.active && p.first.sameMessage(f))) {
            p.first.copyFrom(f);
            // At one of its ends it begins (ascending from 0, descending from the end); met in its middle, which way
            // it goes is not known until its next chunk.
            p.begun = f.offset == 0 || f.offset + f.length == f.total;
            p.ascending = f.offset == 0;
            p.lo = f.offset;
            p.hi = f.offset + f.length;
        }
        p.active = true;
        p.rejected = true;
        count(why);
        if (damaged) {
            sink.lost(p.first, why);
        }
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

package dptrain.cluster.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One damaged block of a chunked vector, over a real embedded media driver (IPC): a message of ten chunks is sent
 * chunk by chunk with one out of order, missing, repeated or forged. Each time the message is never delivered, the
 * sink's {@link Receiver.Sink#chunk} has seen only its verified chunks before the damage, the message is counted
 * once under its reason, and the next message of the same publisher arrives whole.
 */
class ReceiverTest {
    static final int FLOATS = 20_000;
    /** 80 000 payload bytes in chunks of 8 000: ten chunks, chunk c at bytes [8 000 c, 8 000 (c + 1)). */
    static final int CHUNK = 8_000;
    static final int CHUNKS = 10;
    static final byte[] SECRET = Authenticator.newSecret();
    static DataPlane dp;
    static int nextStream = 31;

    @BeforeAll
    static void start() {
        dp = DataPlane.start(DataPlane.Settings.from(ConfigFactory.parseString("dptrain.data-plane.term-length = 64k")
                .withFallback(ConfigFactory.parseResources("dptrain-cluster.conf")), "127.0.0.1"));
    }

    @AfterAll
    static void stop() {
        dp.close();
    }

    /** Wants job 7, step 3, shards 0 and 1 once each; records what reaches it. */
    static final class Recorder implements Receiver.Sink {
        final List<Integer> delivered = new ArrayList<>();
        final Map<Integer, float[]> values = new HashMap<>();
        /** Per shard, the offsets Sink.chunk was given, in order. */
        final Map<Integer, List<Integer>> chunks = new HashMap<>();

        @Override
        public DropReason check(Frame f) {
            if (f.job != 7 || f.step != 3) {
                return DropReason.STALE;
            }
            if (f.shard < 0 || f.shard > 1) {
                return DropReason.UNKNOWN_SHARD;
            }
            if (delivered.contains(f.shard)) {
                return DropReason.DUPLICATE;
            }
            return f.total == FLOATS * 4 ? null : DropReason.BAD_LENGTH;
        }

        @Override
        public void chunk(Frame f, byte[] payload) {
            chunks.computeIfAbsent(f.shard, k -> new ArrayList<>()).add(f.offset);
        }

        @Override
        public void deliver(Frame f, byte[] payload) {
            float[] v = new float[FLOATS];
            Vectors.readFloats(payload, 0, v, v.length);
            delivered.add(f.shard);
            values.put(f.shard, v);
        }
    }

    /** How a chunk is forged: its CRC is right and its MAC wrong. */
    enum Forgery {
        /** A payload byte changed after sealing and the CRC computed again over the bytes sent. */
        PAYLOAD_CHANGED,
        /** Sealed under another secret (the same header otherwise). */
        OTHER_KEY
    }

    /** A publication and a receiver on a stream of their own; one thread offers and polls. */
    static final class Link implements AutoCloseable {
        final Subscription sub;
        final Publication pub;
        final Recorder sink = new Recorder();
        final Receiver receiver = new Receiver(sink, new Authenticator(SECRET), 1 << 20);
        final OutgoingMessage damaged = new OutgoingMessage(FLOATS, CHUNK, new Authenticator(SECRET));
        final OutgoingMessage other = new OutgoingMessage(FLOATS, CHUNK, new Authenticator(Authenticator.newSecret()));
        final long deadline = System.nanoTime() + 10_000_000_000L;

        Link() {
            int stream = nextStream++;
            sub = dp.subscription(dp.ipcChannel(), stream);
            pub = dp.publication(dp.ipcChannel(), stream);
        }

        /** Shard 0's message (vector(0)), its chunks sent in this order, chunk forged (if not -1) forged so. */
        Link sendShard0(int forged, Forgery how, int... order) {
            damaged.prepare(Frame.GRADS, 7, 3, 3, 0, 1, vector(0), FLOATS, new float[0], 0, 1, 0.5);
            assertEquals(CHUNKS, damaged.chunks());
            if (how == Forgery.PAYLOAD_CHANGED) {
                int from = damaged.chunkStart(forged);
                int to = damaged.chunkStart(forged + 1);
                damaged.payloadBytes()[from + 100] ^= 0x10;
                CRC32C crc = new CRC32C();
                crc.update(damaged.payloadBytes(), from, to - from);
                org.agrona.concurrent.UnsafeBuffer h = new org.agrona.concurrent.UnsafeBuffer(damaged.headerBytes());
                h.putInt(forged * Frame.LENGTH + Frame.CRC_OFFSET, (int) crc.getValue(), Frame.ORDER);
            } else if (how == Forgery.OTHER_KEY) {
                other.prepare(Frame.GRADS, 7, 3, 3, 0, 1, vector(0), FLOATS, new float[0], 0, 1, 0.5);
            }
            for (int c : order) {
                offer(c == forged && how == Forgery.OTHER_KEY ? other : damaged, c);
            }
            return this;
        }

        /** The shard's message (vector(shard)), whole, in ascending order. */
        Link sendWhole(int shard) {
            OutgoingMessage m = new OutgoingMessage(FLOATS, CHUNK, new Authenticator(SECRET));
            m.prepare(Frame.GRADS, 7, 3, 3, shard, 1, vector(shard), FLOATS, new float[0], 0, 1, 0.5);
            for (int c = 0; c < m.chunks(); c++) {
                offer(m, c);
            }
            return this;
        }

        private void offer(OutgoingMessage m, int c) {
            while (m.offer(pub, c) <= 0) {
                assertTrue(System.nanoTime() < deadline, "send timed out");
                receiver.poll(sub, 16);
            }
        }

        /**
         * Polls until the shard is delivered. Everything the publication carried before it has been handled then
         * (one publication's messages are taken in order), so no wait for stragglers is needed.
         */
        Link awaitDelivered(int shard) {
            BooleanSupplier in = () -> sink.delivered.contains(shard);
            while (!in.getAsBoolean()) {
                assertTrue(System.nanoTime() < deadline, "shard " + shard + " not delivered; delivered "
                        + sink.delivered + ", drops " + receiver.dropCounts());
                receiver.poll(sub, 16);
            }
            return this;
        }

        @Override
        public void close() {
            pub.close();
            sub.close();
        }
    }

    static float[] vector(int shard) {
        float[] v = new float[FLOATS];
        for (int i = 0; i < v.length; i++) {
            v[i] = shard * 100_000 + i * 0.25f;
        }
        return v;
    }

    /** Chunks from..to in steps of one (downwards when to < from), as an array. */
    static int[] run(int from, int to) {
        int n = Math.abs(to - from) + 1;
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = from + (to < from ? -i : i);
        }
        return r;
    }

    static int[] concat(int[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToInt(java.util.Arrays::stream).toArray();
    }

    /**
     * Shard 0 was damaged: only shard 1 (sent next) was delivered, whole; Sink.chunk saw exactly shard 0's chunks
     * seenChunks (those verified and in sequence before the damage); one drop, for the reason.
     */
    static void assertDroppedOnce(Link l, DropReason why, int... seenChunks) {
        assertEquals(List.of(1), l.sink.delivered, "only the message after the damaged one is delivered");
        assertArrayEquals(vector(1), l.sink.values.get(1));
        List<Integer> offsets = new ArrayList<>();
        for (int c : seenChunks) {
            offsets.add(c * CHUNK);
        }
        assertEquals(offsets, l.sink.chunks.getOrDefault(0, List.of()), "shard 0's chunks given to Sink.chunk");
        assertEquals(1, l.receiver.dropped(why), l.receiver.dropCounts().toString());
        assertEquals(1, l.receiver.totalDropped(), l.receiver.dropCounts().toString());
    }

    @Test
    void aChunkAheadOfItsTurnDropsTheMessageOnce() {
        try (Link l = new Link()) {
            l.sendShard0(-1, null, concat(new int[] {0, 2, 1}, run(3, 9))).sendWhole(1).awaitDelivered(1);
            assertDroppedOnce(l, DropReason.BAD_LENGTH, 0);
        }
    }

    /** Streamed backwards (gradients during the backward pass), chunk 7 comes before chunk 8. */
    @Test
    void aChunkAheadOfItsTurnInDescendingOrderDropsTheMessageOnce() {
        try (Link l = new Link()) {
            l.sendShard0(-1, null, concat(new int[] {9, 7, 8}, run(6, 0))).sendWhole(1).awaitDelivered(1);
            assertDroppedOnce(l, DropReason.BAD_LENGTH, 9);
        }
    }

    /** The first chunk arrives second: the message's beginning comes late and is not taken for a new one. */
    @Test
    void aFirstChunkThatComesLateDropsTheMessageOnce() {
        try (Link l = new Link()) {
            l.sendShard0(-1, null, concat(new int[] {1, 0}, run(2, 9))).sendWhole(1).awaitDelivered(1);
            assertDroppedOnce(l, DropReason.BAD_LENGTH);
        }
        try (Link l = new Link()) {
            l.sendShard0(-1, null, concat(new int[] {8, 9}, run(7, 0))).sendWhole(1).awaitDelivered(1);
            assertDroppedOnce(l, DropReason.BAD_LENGTH);
        }
    }

    @Test
    void aMissingMiddleChunkDropsTheMessageOnce() {
        try (Link l = new Link()) {
            l.sendShard0(-1, null, concat(run(0, 3), run(5, 9))).sendWhole(1).awaitDelivered(1);
            assertDroppedOnce(l, DropReason.BAD_LENGTH, 0, 1, 2, 3);
        }
        try (Link l = new Link()) {
            l.sendShard0(-1, null, concat(run(9, 5), run(3, 0))).sendWhole(1).awaitDelivered(1);
            assertDroppedOnce(l, DropReason.BAD_LENGTH, 9, 8, 7, 6, 5);
        }
    }

    /** The chunk after the gap is the message's other end: not taken for a message begun the other way. */
    @Test
    void aMissingChunkNextToTheOtherEndDropsTheMessageOnce() {
        try (Link l = new Link()) {
            l.sendShard0(-1, null, concat(run(0, 7), new int[] {9})).sendWhole(1).awaitDelivered(1);
            assertDroppedOnce(l, DropReason.BAD_LENGTH, run(0, 7));
        }
        try (Link l = new Link()) {
            l.sendShard0(-1, null, concat(run(9, 2), new int[] {0})).sendWhole(1).awaitDelivered(1);
            assertDroppedOnce(l, DropReason.BAD_LENGTH, run(9, 2));
        }
    }

    /** Without its last chunk the message is unfinished when the next one starts: lost, counted once. */
    @Test
    void aMissingLastChunkDropsTheMessageOnceWhenTheNextBegins() {
        try (Link l = new Link()) {
            l.sendShard0(-1, null, run(0, 8)).sendWhole(1).awaitDelivered(1);
            assertDroppedOnce(l, DropReason.BAD_LENGTH, run(0, 8));
        }
        try (Link l = new Link()) {
            l.sendShard0(-1, null, run(9, 1)).sendWhole(1).awaitDelivered(1);
            assertDroppedOnce(l, DropReason.BAD_LENGTH, run(9, 1));
        }
    }

    @Test
    void aMissingFirstChunkDropsTheMessageOnce() {
        try (Link l = new Link()) {
            l.sendShard0(-1, null, run(1, 9)).sendWhole(1).awaitDelivered(1);
            assertDroppedOnce(l, DropReason.BAD_LENGTH);
        }
        try (Link l = new Link()) {
            l.sendShard0(-1, null, run(8, 0)).sendWhole(1).awaitDelivered(1);
            assertDroppedOnce(l, DropReason.BAD_LENGTH);
        }
    }

    @Test
    void aRepeatedChunkDropsTheMessageOnce() {
        try (Link l = new Link()) {
            l.sendShard0(-1, null, concat(run(0, 4), run(4, 9))).sendWhole(1).awaitDelivered(1);
            assertDroppedOnce(l, DropReason.BAD_LENGTH, 0, 1, 2, 3, 4);
        }
        try (Link l = new Link()) {
            l.sendShard0(-1, null, concat(run(9, 6), run(6, 0))).sendWhole(1).awaitDelivered(1);
            assertDroppedOnce(l, DropReason.BAD_LENGTH, 9, 8, 7, 6);
        }
    }

    /** A repeated first chunk is a repeat, not the message begun again. */
    @Test
    void aRepeatedFirstChunkRestartsTheMessage() {
        // The message begun again from its start is that message sent anew: the first try is counted once (not
        // reported lost: it is coming again whole) and the new one is delivered.
        for (int[] order : List.of(concat(new int[] {0}, run(0, 9)), concat(new int[] {9}, run(9, 0)))) {
            try (Link l = new Link()) {
                l.sendShard0(-1, null, order).sendWhole(1).awaitDelivered(1);
                assertEquals(List.of(0, 1), l.sink.delivered);
                assertArrayEquals(vector(0), l.sink.values.get(0));
                assertEquals(1, l.receiver.dropped(DropReason.BAD_LENGTH), l.receiver.dropCounts().toString());
                assertEquals(1, l.receiver.totalDropped(), l.receiver.dropCounts().toString());
            }
        }
    }

    /** A chunk repeated after its message was complete: the message stands, the stray copy is a duplicate. */
    @Test
    void aChunkRepeatedAfterItsMessageIsCompleteIsOneDuplicate() {
        try (Link l = new Link()) {
            l.sendShard0(-1, null, concat(run(0, 9), new int[] {9})).sendWhole(1).awaitDelivered(1);
            assertEquals(List.of(0, 1), l.sink.delivered);
            assertArrayEquals(vector(0), l.sink.values.get(0));
            assertEquals(CHUNKS, l.sink.chunks.get(0).size());
            assertEquals(1, l.receiver.dropped(DropReason.DUPLICATE), l.receiver.dropCounts().toString());
            assertEquals(1, l.receiver.totalDropped(), l.receiver.dropCounts().toString());
        }
    }

    @Test
    void aForgedMiddleChunkDropsTheMessageOnce() {
        for (Forgery how : Forgery.values()) {
            try (Link l = new Link()) {
                l.sendShard0(4, how, run(0, 9)).sendWhole(1).awaitDelivered(1);
                assertDroppedOnce(l, DropReason.BAD_MAC, 0, 1, 2, 3);
            }
            try (Link l = new Link()) {
                l.sendShard0(4, how, run(9, 0)).sendWhole(1).awaitDelivered(1);
                assertDroppedOnce(l, DropReason.BAD_MAC, 9, 8, 7, 6, 5);
            }
        }
    }

    /** A sender that sends a dropped message again, whole and from its beginning, has it taken. */
    @Test
    void aMessageWhoseFirstChunkNeverCameIsDeliveredWhenSentAgain() {
        // Met in its middle, the dropped message's next chunk tells which way it goes, so its resend from that end
        // is told from the rest of it (a coordinator asking for a shard again relies on this).
        for (int[][] tries : List.of(new int[][] {run(1, 9), run(0, 9)}, new int[][] {run(8, 0), run(9, 0)})) {
            try (Link l = new Link()) {
                l.sendShard0(-1, null, tries[0]).sendShard0(-1, null, tries[1]).sendWhole(1).awaitDelivered(1);
                assertEquals(List.of(0, 1), l.sink.delivered);
                assertArrayEquals(vector(0), l.sink.values.get(0));
                assertEquals(1, l.receiver.dropped(DropReason.BAD_LENGTH), l.receiver.dropCounts().toString());
                assertEquals(1, l.receiver.totalDropped(), l.receiver.dropCounts().toString());
            }
        }
    }

    @Test
    void aMessageSentAgainAfterAForgedChunkIsDelivered() {
        try (Link l = new Link()) {
            l.sendShard0(4, Forgery.PAYLOAD_CHANGED, run(0, 9)).sendWhole(0).sendWhole(1).awaitDelivered(1);
            assertEquals(List.of(0, 1), l.sink.delivered);
            assertArrayEquals(vector(0), l.sink.values.get(0));
            assertEquals(1, l.receiver.dropped(DropReason.BAD_MAC), l.receiver.dropCounts().toString());
            assertEquals(1, l.receiver.totalDropped(), l.receiver.dropCounts().toString());
        }
    }
}

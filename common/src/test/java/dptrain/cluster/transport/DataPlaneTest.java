package dptrain.cluster.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The data plane over a real embedded media driver: chunked vectors arrive whole over IPC and UDP loopback, and
 * forged, stale, duplicate, corrupt and mis-sized messages are dropped and counted, never delivered.
 */
class DataPlaneTest {
    static DataPlane dp;
    static final byte[] SECRET = Authenticator.newSecret();

    @BeforeAll
    static void start() {
        // A small term so that vectors need several chunks.
        dp = DataPlane.start(settings("dptrain.data-plane.term-length = 64k"));
    }

    /** Data-plane settings for 127.0.0.1: the given HOCON over dptrain-cluster.conf. */
    static DataPlane.Settings settings(String hocon) {
        return DataPlane.Settings.from(ConfigFactory.parseString(hocon)
                .withFallback(ConfigFactory.parseResources("dptrain-cluster.conf")), "127.0.0.1");
    }

    /** A UDP port free a moment ago (released before Aeron binds it: a small race, fine on a test machine). */
    static int freePort() {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new RuntimeException(e);
        }
    }

    @AfterAll
    static void stop() {
        dp.close();
    }

    /** A sink that wants job 7, step 3 of a 20 000-float vector, each shard once. */
    static class Sink implements Receiver.Sink {
        final List<float[]> got = new ArrayList<>();
        final boolean[] accepted = new boolean[4];

        @Override
        public DropReason check(Frame f) {
            if (f.job != 7) {
                return DropReason.UNKNOWN_JOB;
            }
            if (f.step != 3) {
                return DropReason.STALE;
            }
            if (f.shard < 0 || f.shard >= accepted.length) {
                return DropReason.UNKNOWN_SHARD;
            }
            if (accepted[f.shard]) {
                return DropReason.DUPLICATE;
            }
            return f.total == 20_000 * 4 ? null : DropReason.BAD_LENGTH;
        }

        @Override
        public void deliver(Frame f, byte[] payload) {
            float[] v = new float[20_000];
            Vectors.readFloats(payload, 0, v, v.length);
            accepted[f.shard] = true;
            got.add(v);
        }
    }

    static float[] vector(int seed) {
        float[] v = new float[20_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = seed * 1000 + i * 0.5f;
        }
        return v;
    }

    /** Sends m, polling the receiving side meanwhile (one thread plays both ends). */
    static void send(Publication p, OutgoingMessage m, Subscription s, Receiver r) {
        Delivery d = new Delivery().start(p, m);
        long end = System.nanoTime() + 10_000_000_000L;
        while (!d.advance()) {
            assertTrue(System.nanoTime() < end, "send timed out: " + d.lastStatus());
            r.poll(s, 16);
        }
    }

    static void pollUntil(Subscription s, Receiver r, BooleanSupplier done) {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "receive timed out; drops " + r.dropCounts());
            r.poll(s, 16);
        }
        // and whatever else is already in flight
        long settle = System.nanoTime() + 200_000_000L;
        while (System.nanoTime() < settle) {
            r.poll(s, 16);
        }
    }

    void roundTrip(String channel, int stream) {
        try (Subscription sub = dp.subscription(channel, stream); Publication pub = dp.publication(channel, stream)) {
            Sink sink = new Sink();
            Receiver r = new Receiver(sink, new Authenticator(SECRET), 1 << 20);
            OutgoingMessage m = new OutgoingMessage(20_000, dp.settings().chunkBytes(), new Authenticator(SECRET));
            float[] v = vector(1);
            m.prepare(Frame.GRADS, 7, 3, 3, 0, 1, v, 15_000, java.util.Arrays.copyOfRange(v, 15_000, 20_000), 5_000, 42, 1.5);
            assertTrue(m.chunks() > 1, "the vector should need several chunks, got " + m.chunks());
            java.nio.ByteBuffer plain = java.nio.ByteBuffer.allocate(4 * 16).order(Frame.ORDER);
            plain.asFloatBuffer().put(v, 0, 16);
            assertFalse(java.util.Arrays.equals(plain.array(), java.util.Arrays.copyOf(m.payloadBytes(), 64)),
                    "the payload must go encrypted");
            send(pub, m, sub, r);
            pollUntil(sub, r, () -> sink.got.size() == 1);
            assertArrayEquals(v, sink.got.get(0));
            assertEquals(0, r.totalDropped(), r.dropCounts().toString());
        }
    }

    @Test
    void vectorsArriveWholeOverIpc() {
        roundTrip(dp.ipcChannel(), 11);
    }

    /**
     * Gradients stream out during the backward pass, last layer first: chunks cut at layer boundaries and sent in
     * descending order arrive whole, chunk by chunk through Sink.chunk; a descending message with a gap is dropped.
     */
    @Test
    void chunksCutAtBoundariesArriveInDescendingOrder() {
        String ch = dp.ipcChannel();
        try (Subscription sub = dp.subscription(ch, 15); Publication pub = dp.publication(ch, 15)) {
            List<int[]> pieces = new ArrayList<>();
            Sink sink = new Sink() {
                @Override
                public void chunk(Frame f, byte[] payload) {
                    pieces.add(new int[] {f.offset, f.length});
                }
            };
            Receiver r = new Receiver(sink, new Authenticator(SECRET), 1 << 20);
            OutgoingMessage m = new OutgoingMessage(20_000, dp.settings().chunkBytes(), new Authenticator(SECRET))
                    .cutAt(new int[] {0, 3, 7_000, 20_000});
            float[] v = vector(3);
            m.begin(Frame.GRADS, 7, 3, 3, 1, 1, v, 20_000, new float[0], 0);
            assertEquals(12, m.chunkStart(1), "a 3-float first block");
            assertTrue(java.util.stream.IntStream.range(0, m.chunks()).anyMatch(c -> m.chunkStart(c) == 28_000));
            for (int c = m.chunks() - 1; c >= 0; c--) {
                m.seal(c, 5, 2.5);
            }
            long end = System.nanoTime() + 10_000_000_000L;
            for (int c = m.chunks() - 1; c >= 0; c--) {
                offer(m, c, pub, sub, r, end);
            }
            pollUntil(sub, r, () -> sink.got.size() == 1);
            assertArrayEquals(v, sink.got.get(0));
            assertEquals(0, r.totalDropped(), r.dropCounts().toString());
            assertEquals(m.chunks(), pieces.size());
            assertEquals(0, pieces.get(pieces.size() - 1)[0], "the first block comes last");

            // shard 2, descending, one middle chunk left out: never delivered, counted once
            m.begin(Frame.GRADS, 7, 3, 3, 2, 1, v, 20_000, new float[0], 0);
            for (int c = m.chunks() - 1; c >= 0; c--) {
                m.seal(c, 5, 2.5);
            }
            for (int c = m.chunks() - 1; c >= 0; c--) {
                if (c == 1) {
                    continue;
                }
                offer(m, c, pub, sub, r, end);
            }
            // then shard 3 whole, ascending
            m.prepare(Frame.GRADS, 7, 3, 3, 3, 1, v, 20_000, new float[0], 0, 1, 0);
            for (int c = 0; c < m.chunks(); c++) {
                offer(m, c, pub, sub, r, end);
            }
            pollUntil(sub, r, () -> sink.got.size() == 2);
            assertTrue(sink.accepted[3] && !sink.accepted[2], "shard 2 must not be delivered");
            // once, at the chunk after the gap (chunk 0: not taken for a message begun in ascending order)
            assertEquals(1, r.dropped(DropReason.BAD_LENGTH), r.dropCounts().toString());
            assertEquals(1, r.totalDropped(), r.dropCounts().toString());
        }
    }

    /**
     * Bit reduction: with bf16 or fp16 the first part of a vector travels in 2 bytes a value, rounded to nearest even,
     * the second in floats; chunks end at the given boundaries and where the first part ends, so each holds whole
     * values of one part, and decoded chunk by chunk (last first) the vector is the rounded one.
     */
    @Test
    void sixteenBitVectorsArriveRoundedChunkByChunk() {
        String ch = dp.ipcChannel();
        for (dptrain.tensor.WirePrecision p : new dptrain.tensor.WirePrecision[] {
                dptrain.tensor.WirePrecision.BF16, dptrain.tensor.WirePrecision.FP16}) {
            int stream = 17 + p.code();
            try (Subscription sub = dp.subscription(ch, stream); Publication pub = dp.publication(ch, stream)) {
                int aLen = 15_001; // an odd count: the second part starts 2 bytes past a multiple of 4
                int bLen = 4_999;
                VectorLayout layout = new VectorLayout(aLen, bLen, p);
                float[] a = new float[aLen];
                float[] b = new float[bLen];
                for (int i = 0; i < aLen; i++) {
                    a[i] = (i - 7_000) * 0.37f + 1e-3f;
                }
                for (int i = 0; i < bLen; i++) {
                    b[i] = i * 0.37f + 1e-3f;
                }
                float[] gotA = new float[aLen];
                float[] gotB = new float[bLen];
                List<int[]> pieces = new ArrayList<>();
                List<Integer> precisions = new ArrayList<>();
                Receiver r = new Receiver(new Receiver.Sink() {
                    @Override
                    public DropReason check(Frame f) {
                        return f.total == layout.totalBytes() ? null : DropReason.BAD_LENGTH;
                    }

                    @Override
                    public void chunk(Frame f, byte[] payload) {
                        pieces.add(new int[] {f.offset, f.length});
                        precisions.add((int) f.precision);
                        layout.read(payload, f.offset, f.offset + f.length, gotA, gotB);
                    }

                    @Override
                    public void deliver(Frame f, byte[] payload) {
                        pieces.add(null);
                    }
                }, new Authenticator(SECRET), 1 << 20);
                OutgoingMessage m = new OutgoingMessage(20_000, dp.settings().chunkBytes(), new Authenticator(SECRET))
                        .cutAt(new int[] {0, 3, 7_001, 15_001}).precision(p);
                m.begin(Frame.GRADS, 7, 3, 3, 1, 1, a, aLen, b, bLen);
                assertEquals(aLen * 2 + bLen * 4, m.totalBytes(), "half the bytes for the first part");
                assertEquals(6, m.chunkStart(1), "a 3-value first block in 2-byte values");
                List<Integer> starts = new ArrayList<>();
                for (int c = 0; c <= m.chunks(); c++) {
                    starts.add(m.chunkStart(c));
                }
                assertTrue(starts.contains(14_002) && starts.contains(30_002), "cut at 7 001 and at the part's end: "
                        + starts);
                for (int c = m.chunks() - 1; c >= 0; c--) {
                    m.seal(c, 5, 2.5);
                }
                long end = System.nanoTime() + 10_000_000_000L;
                for (int c = m.chunks() - 1; c >= 0; c--) {
                    offer(m, c, pub, sub, r, end);
                }
                pollUntil(sub, r, () -> pieces.contains(null));
                assertEquals(0, r.totalDropped(), r.dropCounts().toString());
                assertEquals(m.chunks() + 1, pieces.size());
                for (int[] piece : pieces.subList(0, m.chunks())) {
                    boolean inA = piece[0] + piece[1] <= 30_002;
                    assertTrue(inA || piece[0] >= 30_002, "a chunk across the parts: " + java.util.Arrays.toString(piece));
                    assertEquals(0, (inA ? piece[0] : piece[0] - 30_002) % (inA ? 2 : 4), "whole values");
                    assertEquals(0, piece[1] % (inA ? 2 : 4), "whole values");
                }
                assertEquals(List.of(p.code()), precisions.stream().distinct().toList(), "each frame names " + p);
                float[] rounded = new float[aLen];
                p.round(a, rounded, 0, aLen);
                assertArrayEquals(rounded, gotA, p + ": the first part arrives rounded to nearest even");
                assertFalse(java.util.Arrays.equals(a, gotA), p + " rounds these values");
                assertArrayEquals(b, gotB, "the second part arrives exact");
            }
        }
    }

    /** Offers chunk c until it is taken, polling r meanwhile (so the window moves); fails after the deadline. */
    private static void offer(OutgoingMessage m, int c, Publication pub, Subscription sub, Receiver r, long deadline) {
        while (m.offer(pub, c) <= 0) {
            assertTrue(System.nanoTime() < deadline, "send timed out");
            r.poll(sub, 16);
        }
    }

    /** Two senders in one JVM on one IPC stream (workers of `train --workers N`), their chunks interleaved. */
    @Test
    void chunksOfTwoSendersOnOneStreamDoNotMix() {
        String ch = dp.ipcChannel();
        try (Subscription sub = dp.subscription(ch, 14); Publication p1 = dp.publication(ch, 14);
             Publication p2 = dp.publication(ch, 14)) {
            Sink sink = new Sink();
            Receiver r = new Receiver(sink, new Authenticator(SECRET), 1 << 20);
            float[] v1 = vector(1);
            float[] v2 = vector(2);
            OutgoingMessage m1 = new OutgoingMessage(20_000, dp.settings().chunkBytes(), new Authenticator(SECRET));
            OutgoingMessage m2 = new OutgoingMessage(20_000, dp.settings().chunkBytes(), new Authenticator(SECRET));
            m1.prepare(Frame.GRADS, 7, 3, 3, 0, 1, v1, 20_000, new float[0], 0, 1, 0);
            m2.prepare(Frame.GRADS, 7, 3, 3, 1, 2, v2, 20_000, new float[0], 0, 1, 0);
            assertTrue(m1.chunks() > 2);
            long end = System.nanoTime() + 10_000_000_000L;
            for (int i = 0; i < m1.chunks(); i++) {
                while (m1.offer(p1, i) <= 0) {
                    assertTrue(System.nanoTime() < end, "send timed out");
                    r.poll(sub, 16);
                }
                while (m2.offer(p2, i) <= 0) {
                    assertTrue(System.nanoTime() < end, "send timed out");
                    r.poll(sub, 16);
                }
            }
            pollUntil(sub, r, () -> sink.got.size() == 2);
            assertEquals(0, r.totalDropped(), r.dropCounts().toString());
            assertTrue(sink.accepted[0] && sink.accepted[1]);
            float[] first = sink.got.get(0)[0] == v1[0] ? sink.got.get(0) : sink.got.get(1);
            float[] second = first == sink.got.get(0) ? sink.got.get(1) : sink.got.get(0);
            assertArrayEquals(v1, first);
            assertArrayEquals(v2, second);
        }
    }

    @Test
    void vectorsArriveWholeOverUdpLoopback() {
        roundTrip(dp.udpChannel("127.0.0.1", freePort()), 12);
    }

    /** Chunk sizes: one Aeron frame each from an MTU of 32 KB up (no reassembly copy), long chunks below. */
    @Test
    void chunksFitOneFrameWhenTheMtuAllows() {
        int[][] cases = { // mtu, term, expected chunk bytes
            {65_504, 8 << 20, 65_504 - 32 - Frame.LENGTH},
            {32_768, 1 << 20, 32_768 - 32 - Frame.LENGTH},
            {32_736, 1 << 20, (1 << 20) / 8 - Frame.LENGTH}, // just below the threshold: long chunks
            {8_192, 8 << 20, (8 << 20) / 8 - Frame.LENGTH},
            {1_408, 64 << 10, (64 << 10) / 8 - Frame.LENGTH}};
        for (int[] c : cases) {
            DataPlane.Settings s = settings("dptrain.data-plane { mtu = " + c[0] + ", term-length = " + c[1] + " }");
            assertEquals(c[2] & ~3, s.chunkBytes(), "mtu " + c[0] + ", term " + c[1]);
            if (c[0] >= DataPlane.SINGLE_FRAME_MTU) {
                assertTrue(32 + Frame.LENGTH + s.chunkBytes() <= c[0], "a chunk and its headers fit one frame");
            }
        }
    }

    /** Over UDP with a 64 KB MTU every chunk travels as one unfragmented frame, and the vector arrives whole. */
    @Test
    void largeMtuChunksTravelUnfragmented() {
        // DataPlane.start refuses an MTU the kernel's socket buffers cannot hold (a stock kernel allows 212 992 bytes).
        boolean fits;
        try {
            DataPlane.Buffers.fit(DataPlane.kernelLimit("rmem_max"), DataPlane.kernelLimit("wmem_max"), 65_504);
            fits = true;
        } catch (IllegalStateException e) {
            fits = false;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(fits, "socket buffer limits too small for a 64 KB MTU");
        try (DataPlane big = DataPlane.start(settings("dptrain.data-plane { mtu = 65504, term-length = 1m }"))) {
            String ch = big.udpChannel("127.0.0.1", freePort());
            try (Subscription sub = big.subscription(ch, 14); Subscription raw = big.subscription(ch, 14);
                 Publication pub = big.publication(ch, 14)) {
                Sink sink = new Sink();
                Receiver r = new Receiver(sink, new Authenticator(SECRET), 1 << 20);
                OutgoingMessage m = new OutgoingMessage(20_000, big.settings().chunkBytes(), new Authenticator(SECRET));
                float[] v = vector(2);
                m.prepare(Frame.GRADS, 7, 3, 3, 0, 1, v, 20_000, new float[0], 0, 42, 1.5);
                assertEquals(2, m.chunks(), "80 000 bytes in chunks of " + big.settings().chunkBytes());
                assertTrue(Frame.LENGTH + big.settings().chunkBytes() <= pub.maxPayloadLength(),
                        "a chunk with its header must fit Aeron's largest unfragmented message, " + pub.maxPayloadLength());
                send(pub, m, sub, r);
                pollUntil(sub, r, () -> sink.got.size() == 1);
                assertArrayEquals(v, sink.got.get(0));
                // The second subscription sees the same frames raw: each one a whole message (BEGIN and END set).
                List<Byte> flags = new ArrayList<>();
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (flags.size() < m.chunks() && System.nanoTime() < deadline) {
                    raw.poll((buf, off, len, header) -> flags.add(header.flags()), 16);
                }
                assertEquals(m.chunks(), flags.size(), "frames seen: " + flags);
                for (byte f : flags) {
                    assertEquals((byte) io.aeron.logbuffer.FrameDescriptor.UNFRAGMENTED, f, "frame flags " + f);
                }
            }
        }
    }

    @Test
    void forgedStaleDuplicateCorruptAndMisSizedMessagesAreDroppedAndCounted() {
        String ch = dp.ipcChannel();
        try (Subscription sub = dp.subscription(ch, 13); Publication pub = dp.publication(ch, 13)) {
            Sink sink = new Sink();
            Receiver r = new Receiver(sink, new Authenticator(SECRET), 1 << 20);
            Authenticator good = new Authenticator(SECRET);
            int chunk = dp.settings().chunkBytes();
            float[] v = vector(2);
            OutgoingMessage m = new OutgoingMessage(20_000, chunk, good);

            // forged: signed with another secret
            OutgoingMessage forged = new OutgoingMessage(20_000, chunk, new Authenticator(Authenticator.newSecret()));
            forged.prepare(Frame.GRADS, 7, 3, 3, 0, 1, v, v.length, v, 0, 1, 0);
            send(pub, forged, sub, r);
            // unsigned (a sender without the secret)
            OutgoingMessage unsigned = new OutgoingMessage(20_000, chunk, new Authenticator(null));
            unsigned.prepare(Frame.GRADS, 7, 3, 3, 0, 1, v, v.length, v, 0, 1, 0);
            send(pub, unsigned, sub, r);
            // stale step and unknown job, properly signed
            m.prepare(Frame.GRADS, 7, 2, 2, 0, 1, v, v.length, v, 0, 1, 0);
            send(pub, m, sub, r);
            m.prepare(Frame.GRADS, 8, 3, 3, 0, 1, v, v.length, v, 0, 1, 0);
            send(pub, m, sub, r);
            // wrong length for this model
            m.prepare(Frame.GRADS, 7, 3, 3, 0, 1, v, 19_999, v, 0, 1, 0);
            send(pub, m, sub, r);
            // corrupt: a payload bit flipped after signing (CRC catches it)
            m.prepare(Frame.GRADS, 7, 3, 3, 1, 1, v, v.length, v, 0, 1, 0);
            m.payloadBytes()[chunk + 5] ^= 0x10;
            send(pub, m, sub, r);
            // tampered header: shard changed after signing, CRC still right, MAC wrong
            m.prepare(Frame.GRADS, 7, 3, 3, 2, 1, v, v.length, v, 0, 1, 0);
            for (int c = 0; c < m.chunks(); c++) {
                m.headerBytes()[c * Frame.LENGTH + 32] = 3;
            }
            send(pub, m, sub, r);
            // the good one, then its duplicate
            m.prepare(Frame.GRADS, 7, 3, 3, 0, 1, v, v.length, v, 0, 1, 0);
            send(pub, m, sub, r);
            send(pub, m, sub, r);
            pollUntil(sub, r, () -> sink.got.size() == 1 && r.totalDropped() >= 8);

            assertEquals(1, sink.got.size(), "only the good message may be delivered");
            assertArrayEquals(v, sink.got.get(0));
            assertEquals(3, r.dropped(DropReason.BAD_MAC), r.dropCounts().toString());
            assertEquals(1, r.dropped(DropReason.STALE), r.dropCounts().toString());
            assertEquals(1, r.dropped(DropReason.UNKNOWN_JOB), r.dropCounts().toString());
            assertEquals(1, r.dropped(DropReason.BAD_LENGTH), r.dropCounts().toString());
            assertEquals(1, r.dropped(DropReason.BAD_CHECKSUM), r.dropCounts().toString());
            assertEquals(1, r.dropped(DropReason.DUPLICATE), r.dropCounts().toString());
            assertEquals(8, r.totalDropped(), r.dropCounts().toString());
        }
    }

    @Test
    void driverDirectoriesOfDeadProcessesAreRemovedOthersKept(@org.junit.jupiter.api.io.TempDir java.nio.file.Path base)
            throws java.io.IOException {
        java.nio.file.Path dead = base.resolve("dptrain-aeron-2147483646-abc");
        java.nio.file.Path live = base.resolve("dptrain-aeron-" + ProcessHandle.current().pid() + "-def");
        java.nio.file.Path other = base.resolve("someone-else");
        for (java.nio.file.Path d : List.of(dead, live, other)) {
            java.nio.file.Files.createDirectories(d.resolve("publications"));
            java.nio.file.Files.writeString(d.resolve("publications/1.logbuffer"), "x");
        }
        DataPlane.removeOrphans(base);
        assertFalse(java.nio.file.Files.exists(dead), "a dead process's directory stays");
        assertTrue(java.nio.file.Files.exists(live.resolve("publications/1.logbuffer")), "a live process's went");
        assertTrue(java.nio.file.Files.exists(other), "a directory not ours went");
    }

    @Test
    void preflightNamesAnUnwritableDirectory() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> DataPlane.start(
                settings("dptrain.data-plane.aeron-dir = \"/nonexistent/x/aeron\"")));
        assertTrue(e.getMessage().contains("/nonexistent/x"), e.getMessage());
    }

    @Test
    void socketBuffersAndWindowFollowTheKernelsLimits() {
        // A stock Linux kernel: buffers capped at 212 992 bytes; the window is half the receive buffer and we say so.
        DataPlane.Buffers stock = DataPlane.Buffers.fit(212_992, 212_992, 65_504);
        assertEquals(212_992, stock.rcvbuf());
        assertEquals(106_496, stock.window());
        assertTrue(stock.warning() != null && stock.warning().contains("net.core.rmem_max=4194304"), stock.warning());
        // Room for what we want: a 2 MB window in a 4 MB buffer, no warning; the same when the limits cannot be read.
        for (long limit : new long[] {8_388_608, 4_194_304, -1}) {
            DataPlane.Buffers big = DataPlane.Buffers.fit(limit, limit, 65_504);
            assertEquals(4_194_304, big.rcvbuf());
            assertEquals(2_097_152, big.sndbuf());
            assertEquals(2_097_152, big.window());
            assertEquals(null, big.warning());
        }
        // Too small for the MTU: a named error, not Aeron's failure at start.
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> DataPlane.Buffers.fit(100_000, 212_992, 65_504));
        assertTrue(e.getMessage().contains("net.core.rmem_max") && e.getMessage().contains("--mtu"), e.getMessage());
        assertEquals(50_000, DataPlane.Buffers.fit(100_000, 212_992, 1408).window());
    }
}

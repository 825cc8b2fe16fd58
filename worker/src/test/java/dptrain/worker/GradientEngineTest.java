package dptrain.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dptrain.cluster.transport.Authenticator;
import dptrain.cluster.transport.DataPlane;
import dptrain.cluster.transport.DropReason;
import dptrain.cluster.transport.Frame;
import dptrain.cluster.transport.OutgoingMessage;
import dptrain.cluster.transport.Receiver;
import dptrain.data.Dataset;
import dptrain.nn.Model;
import dptrain.nn.NetSpec;
import io.aeron.Publication;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The worker's data-plane side over a real media driver (IPC): assignments that come ahead of their parameters are
 * computed and answered, forged, stale and mis-sized ones dropped and counted; and a vector is taken only from its start. A receiver
 * that first sees a vector's last chunk (it joined mid-message) must not take those bytes as the whole vector of
 * that version: the compute thread would pair them with an older version's leading bytes.
 */
class GradientEngineTest {
    private static final long JOB = 7;

    @Test
    void aVectorIsTakenOnlyFromItsStart() throws Exception {
        try (DataPlane dp = plane()) {
            Model model = model();
            int n = model.paramCount();
            int bytes = (n + model.stateCount()) * 4;
            byte[] secret = Authenticator.newSecret();
            int chunk = dp.settings().chunkBytes();
            var in = dp.subscription(dp.ipcChannel(), 3001);
            Publication out = dp.publication(dp.ipcChannel(), 3001);
            Publication grads = dp.publication(dp.ipcChannel(), 3002);
            List<String> failures = new ArrayList<>();
            GradientEngine engine = new GradientEngine(JOB, 1, model, null, 100, 2, 1,
                    dptrain.tensor.WirePrecision.FP32, secret, in, grads, chunk,
                    (step, why) -> failures.add(why));
            Thread t = start(engine);
            try {
                OutgoingMessage msg = new OutgoingMessage(n + model.stateCount(), chunk, new Authenticator(secret))
                        .cutAt(model.paramBoundaries());
                float[] v5 = fill(n, 5f);
                msg.prepare(Frame.PARAMS, JOB, 5, 5, -1, 0, v5, n, new float[0], 0, 0, 0);
                assertTrue(msg.chunks() > 2, "a vector of several chunks: " + msg.chunks());
                offer(out, msg, msg.chunks() - 1); // only the last chunk: as seen by a receiver joining late
                Thread.sleep(300);
                assertFalse(engine.holds(5, 4), "bytes from the end were taken as the start of version 5");
                assertFalse(engine.holds(5, bytes), "a vector's last chunk was taken as the whole vector");

                float[] v6 = fill(n, 6f);
                msg.prepare(Frame.PARAMS, JOB, 6, 6, -1, 0, v6, n, new float[0], 0, 0, 0);
                offerAll(out, msg);
                await(() -> engine.holds(6, bytes), "version 6 taken whole");
                assertArrayEquals(v6, engine.paramsNow());
                assertTrue(failures.isEmpty(), failures.toString());
            } finally {
                stop(engine, t, out, grads, in);
            }
        }
    }

    @Test
    void assignmentsAheadOfTheirParametersAreComputedForgedStaleAndMisSizedOnesDropped() throws Exception {
        try (DataPlane dp = plane()) {
            Model model = model();
            int n = model.paramCount();
            int bytes = (n + model.stateCount()) * 4;
            java.util.Random rnd = new java.util.Random(3);
            float[] x = new float[200 * 784];
            int[] labels = new int[200];
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextFloat();
            }
            for (int i = 0; i < labels.length; i++) {
                labels[i] = rnd.nextInt(10);
            }
            Dataset data = Dataset.of("random", x, labels, new int[] {784}, 10);
            byte[] secret = Authenticator.newSecret();
            int chunk = dp.settings().chunkBytes();
            var in = dp.subscription(dp.ipcChannel(), 3101);
            Publication out = dp.publication(dp.ipcChannel(), 3101);
            var gradsIn = dp.subscription(dp.ipcChannel(), 3102);
            Publication grads = dp.publication(dp.ipcChannel(), 3102);
            List<String> failures = new ArrayList<>();
            GradientEngine engine = new GradientEngine(JOB, 1, model, data, 100, 4, 1,
                    dptrain.tensor.WirePrecision.FP32, secret, in, grads, chunk,
                    (step, why) -> failures.add(why));
            List<String> back = new ArrayList<>();
            Receiver gradsReceiver = new Receiver(new Receiver.Sink() {
                @Override
                public DropReason check(Frame f) {
                    return f.kind == Frame.GRADS && f.job == JOB ? null : DropReason.MALFORMED;
                }

                @Override
                public void deliver(Frame f, byte[] payload) {
                    back.add("step " + f.step + " shard " + f.shard);
                }
            }, new Authenticator(secret), bytes);
            Thread t = start(engine);
            try {
                int[] batch = new int[100];
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = 199 - 2 * i;
                }
                OutgoingMessage assign = new OutgoingMessage(104, chunk, new Authenticator(secret));
                OutgoingMessage forged = new OutgoingMessage(104, chunk, new Authenticator(Authenticator.newSecret()));
                forged.prepareInts(Frame.ASSIGN, JOB, 5, 5, 1, 0, new int[] {3}, 1, batch, batch.length);
                offerAll(out, forged);
                // shards 0 and 2 of step 5, then its parameters on the same stream
                assign.prepareInts(Frame.ASSIGN, JOB, 5, 5, 2, 0, new int[] {0, 2}, 2, batch, batch.length);
                offerAll(out, assign);
                OutgoingMessage params = new OutgoingMessage(n + model.stateCount(), chunk, new Authenticator(secret))
                        .cutAt(model.paramBoundaries());
                params.prepare(Frame.PARAMS, JOB, 5, 5, -1, 0, fill(n, 0.01f), n, new float[0], 0, 0, 0);
                offerAll(out, params);
                await(() -> {
                    gradsReceiver.poll(gradsIn, 16);
                    return back.size() >= 2;
                }, "gradient sums of the two assigned shards");
                assertEquals(List.of("step 5 shard 0", "step 5 shard 2"), back);

                // an assignment for version 4 once 5 is held, and one whose length does not match its shard count
                assign.prepareInts(Frame.ASSIGN, JOB, 4, 4, 1, 0, new int[] {1}, 1, batch, batch.length);
                offerAll(out, assign);
                assign.prepareInts(Frame.ASSIGN, JOB, 5, 5, 2, 0, new int[] {1}, 1, batch, batch.length);
                offerAll(out, assign);
                await(() -> engine.drops().size() == 3, "three drops");
                assertEquals(java.util.Map.of("bad_mac", 1L, "stale", 1L, "bad_length", 1L), engine.drops());
                long until = System.nanoTime() + 300_000_000L;
                while (System.nanoTime() < until) {
                    gradsReceiver.poll(gradsIn, 16);
                }
                assertEquals(2, back.size(), "a dropped assignment was computed: " + back);
                assertEquals(2, engine.shardsDone());
                assertTrue(failures.isEmpty(), failures.toString());
            } finally {
                stop(engine, t, out, grads, in, gradsIn);
            }
        }
    }

    private static Thread start(GradientEngine engine) {
        Thread t = new Thread(engine, "dptrain-worker-1-compute");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void stop(GradientEngine engine, Thread t, AutoCloseable... streams) throws Exception {
        engine.stop();
        t.join(5_000);
        for (AutoCloseable c : streams) {
            c.close();
        }
    }

    private static void offerAll(Publication p, OutgoingMessage m) throws InterruptedException {
        for (int c = 0; c < m.chunks(); c++) {
            offer(p, m, c);
        }
    }

    /** A media driver with a small term, so that a vector takes several chunks. */
    private static DataPlane plane() {
        var conf = ConfigFactory.parseString("dptrain.data-plane { term-length = 64k, mtu = 1408, mac = aes-gcm }")
                .withFallback(ConfigFactory.parseResources("dptrain-cluster.conf"));
        return DataPlane.start(DataPlane.Settings.from(conf, "127.0.0.1"));
    }

    private static Model model() {
        return new Model(NetSpec.parse("in=784;affine(50);relu;affine(10);loss=softmax"));
    }

    private static float[] fill(int n, float base) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = base + i * 1e-3f;
        }
        return v;
    }

    private static void offer(Publication p, OutgoingMessage m, int c) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (m.offer(p, c) <= 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("could not offer chunk " + c);
            }
            Thread.sleep(1);
        }
    }

    private static void await(BooleanSupplier cond, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }
}

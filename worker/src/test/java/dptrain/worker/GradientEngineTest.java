package dptrain.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dptrain.cluster.transport.Authenticator;
import dptrain.cluster.transport.DataPlane;
import dptrain.cluster.transport.Frame;
import dptrain.cluster.transport.OutgoingMessage;
import dptrain.nn.Model;
import dptrain.nn.NetSpec;
import io.aeron.Publication;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The worker's parameter thread over a real media driver (IPC): a vector is taken only from its start. A receiver
 * that first sees a vector's last chunk (it joined mid-message) must not take those bytes as the whole vector of
 * that version: the compute thread would pair them with an older version's leading bytes.
 */
class GradientEngineTest {
    private static final long JOB = 7;

    @Test
    void aVectorIsTakenOnlyFromItsStart() throws Exception {
        var conf = ConfigFactory.parseString("dptrain.data-plane { term-length = 64k, mtu = 1408, mac = aes-gcm }")
                .withFallback(ConfigFactory.parseResources("dptrain-cluster.conf"));
        try (DataPlane dp = DataPlane.start(DataPlane.Settings.from(conf, "127.0.0.1"))) {
            Model model = new Model(NetSpec.parse("in=784;affine(50);relu;affine(10);loss=softmax"));
            int n = model.paramCount();
            int bytes = (n + model.stateCount()) * 4;
            byte[] secret = Authenticator.newSecret();
            int chunk = dp.settings().chunkBytes();
            var in = dp.subscription(dp.ipcChannel(), 3001);
            Publication out = dp.publication(dp.ipcChannel(), 3001);
            Publication grads = dp.publication(dp.ipcChannel(), 3002);
            List<String> failures = new ArrayList<>();
            GradientEngine engine = new GradientEngine(JOB, 1, model, null, 100, 2, 1, secret, in, grads, chunk,
                    (step, why) -> failures.add(why));
            Thread t = new Thread(engine, "dptrain-worker-1-compute");
            t.setDaemon(true);
            t.start();
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
                for (int c = 0; c < msg.chunks(); c++) {
                    offer(out, msg, c);
                }
                await(() -> engine.holds(6, bytes), "version 6 taken whole");
                assertArrayEquals(v6, engine.paramsNow());
                assertTrue(failures.isEmpty(), failures.toString());
            } finally {
                engine.stop();
                t.join(5_000);
                out.close();
                grads.close();
                in.close();
            }
        }
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

package dptrain.coordinator;

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
import dptrain.cluster.transport.Vectors;
import dptrain.nn.Model;
import dptrain.nn.NetSpec;
import dptrain.train.ShardResult;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The step thread's side of the data plane, against two scripted workers over a real media driver (IPC): each
 * worker's assignment comes ahead of the parameters on its stream, and when the actor marks a worker lost, its
 * unfinished shard goes to the other one in a second assignment, is counted and named in the events, and the step
 * completes with every shard's sums where the local executor would put them; a shard whose gradient message has a
 * forged block is dropped and counted, and the shard is asked for again from a live worker at once.
 */
class RemoteShardExecutorTest {
    private static final long JOB = 5;

    /** A worker played by the test: what arrives on its stream, in order. */
    private static final class ScriptedWorker implements Receiver.Sink {
        final List<String> kinds = new ArrayList<>();
        final List<int[]> assignments = new ArrayList<>();

        @Override
        public DropReason check(Frame f) {
            return f.job == JOB ? null : DropReason.UNKNOWN_JOB;
        }

        @Override
        public void deliver(Frame f, byte[] payload) {
            kinds.add(f.kind == Frame.ASSIGN ? "assign" : f.kind == Frame.PARAMS ? "params v" + f.version : "?");
            if (f.kind == Frame.ASSIGN) {
                int[] ks = new int[f.shard];
                Vectors.readInts(payload, 0, ks, 0, ks.length);
                assignments.add(ks);
            }
        }
    }

    /**
     * A coordinator's executor on a real media driver with two scripted workers: worker 1 on stream 4001, worker 2
     * on 4002, both answering on the gradient stream 4100, for a one-layer model in 4 shards of a 100-sample batch.
     */
    private static final class Rig implements AutoCloseable {
        final DataPlane dp;
        final Model model = new Model(NetSpec.parse("in=784;affine(10);loss=softmax;init=std:0.01"));
        final int n = model.paramCount();
        final byte[] secret = Authenticator.newSecret();
        final JobBoard board = new JobBoard(new JobBoard.Job(JOB, "spec", 100, 4, 1, 0, 0, "fp", "openblas",
                dptrain.tensor.WirePrecision.FP32, secret));
        final Subscription in1;
        final Subscription in2;
        final Publication gradsOut1;
        final Publication gradsOut2;
        final ScriptedWorker w1 = new ScriptedWorker();
        final ScriptedWorker w2 = new ScriptedWorker();
        final Receiver r1;
        final Receiver r2;
        final RemoteShardExecutor ex;
        final ShardResult[] results = new ShardResult[4];
        final OutgoingMessage grads;
        CompletableFuture<Void> step;

        Rig() {
            var conf = ConfigFactory.parseString("dptrain.data-plane.term-length = 64k")
                    .withFallback(ConfigFactory.parseResources("dptrain-cluster.conf"));
            dp = DataPlane.start(DataPlane.Settings.from(conf, "127.0.0.1"));
            board.workers.put(1, new JobBoard.Slot(1, null, DataPlane.IPC_ENDPOINT, 4001, "h", 1));
            board.workers.put(2, new JobBoard.Slot(2, null, DataPlane.IPC_ENDPOINT, 4002, "h", 2));
            in1 = dp.subscription(dp.ipcChannel(), 4001);
            in2 = dp.subscription(dp.ipcChannel(), 4002);
            GradInbox gradsIn = GradInbox.open(dp, 4100, false);
            gradsOut1 = dp.publication(dp.ipcChannel(), 4100);
            gradsOut2 = dp.publication(dp.ipcChannel(), 4100);
            r1 = new Receiver(w1, new Authenticator(secret), n * 4);
            r2 = new Receiver(w2, new Authenticator(secret), n * 4);
            ex = new RemoteShardExecutor(board, null, dp, gradsIn, model, 2_000_000_000L, 1);
            for (int k = 0; k < 4; k++) {
                results[k] = new ShardResult(n, 0);
            }
            grads = new OutgoingMessage(n, dp.settings().chunkBytes(), new Authenticator(secret));
        }

        /** Starts step 0 on a thread of its own and waits until each worker has its assignment and parameters. */
        void startStep() throws InterruptedException {
            int[] batch = new int[100];
            step = CompletableFuture.runAsync(
                    () -> ex.computeShards(null, batch, 100, 1, 0, new float[n], new float[0], results));
            pollUntil(() -> w1.kinds.size() == 2 && w2.kinds.size() == 2);
            assertEquals(List.of("assign", "params v0"), w1.kinds, "worker 1's stream");
            assertEquals(List.of("assign", "params v0"), w2.kinds, "worker 2's stream");
            assertEquals("[0, 2]", Arrays.toString(w1.assignments.get(0)));
            assertEquals("[1, 3]", Arrays.toString(w2.assignments.get(0)));
        }

        void pollUntil(BooleanSupplier done) throws InterruptedException {
            RemoteShardExecutorTest.pollUntil(done, in1, r1, in2, r2);
        }

        @Override
        public void close() {
            try {
                if (step != null && !step.isDone()) { // a failed check: with no live worker it gives up after 2 s
                    board.workers.values().forEach(w -> w.live = false);
                    try {
                        step.get(20, TimeUnit.SECONDS);
                    } catch (Exception expected) {
                        // the "no live worker" failure
                    }
                }
                ex.close();
            } finally {
                dp.close();
            }
        }
    }

    @Test
    void aLostWorkersUnfinishedShardGoesToTheOtherAfterItsAssignmentAndParameters() throws Exception {
        try (Rig rig = new Rig()) {
            int n = rig.n;
            rig.startStep();
            for (int k : new int[] {0, 2}) {
                answer(rig.grads, rig.gradsOut1, 1, k, n);
            }
            answer(rig.grads, rig.gradsOut2, 2, 1, n);
            Thread.sleep(200);
            assertFalse(rig.step.isDone(), "the step ended without shard 3");
            rig.board.workers.get(2).live = false; // what the actor does when it loses worker 2

            rig.pollUntil(() -> rig.w1.assignments.size() == 2);
            assertEquals("[3]", Arrays.toString(rig.w1.assignments.get(1)), "the reassignment");
            assertEquals(List.of("assign", "params v0", "assign"), rig.w1.kinds, "no second copy of the parameters");
            answer(rig.grads, rig.gradsOut1, 1, 3, n);
            rig.step.get(10, TimeUnit.SECONDS);

            for (int k = 0; k < 4; k++) {
                assertEquals(k + 1, rig.results[k].grads[n - 1], "shard " + k + "'s sums");
            }
            assertEquals(1, rig.board.shardsReassigned.get());
            assertTrue(String.join("|", rig.board.events).contains("shards [3] of step 1 reassigned: worker 1 [3]"),
                    rig.board.events.toString());
            assertEquals(1, rig.ex.ownerOf(3));
        }
    }

    /**
     * Worker 1 streams shard 0's gradients last layer first, as a worker does, with one block in the middle forged
     * (sealed under another key, its CRC right). The message is dropped and counted once (bad_mac, in the step's
     * "dropped" and the run's "dropped_messages"); the blocks verified before it are in the shard's result, nothing
     * from it or after it. Nothing asks a live worker again for a dropped shard: the step waits for shard 0 while
     * worker 1 is live, and once the actor loses worker 1 the shard goes to worker 2 and the step completes with the
     * right sums.
     */
    @Test
    void aShardWithAForgedBlockIsDroppedCountedAndAskedForAgain() throws Exception {
        try (Rig rig = new Rig()) {
            int n = rig.n;
            rig.startStep();
            answer(rig.grads, rig.gradsOut2, 2, 1, n);
            answer(rig.grads, rig.gradsOut2, 2, 3, n);

            float[] ones = new float[n];
            Arrays.fill(ones, 1);
            rig.grads.prepare(Frame.GRADS, JOB, 0, 0, 0, 1, ones, n, new float[0], 0, 1_000_000, 2.5);
            OutgoingMessage forged = new OutgoingMessage(n, rig.dp.settings().chunkBytes(),
                    new Authenticator(Authenticator.newSecret()));
            forged.prepare(Frame.GRADS, JOB, 0, 0, 0, 1, ones, n, new float[0], 0, 1_000_000, 2.5);
            int chunks = rig.grads.chunks();
            assertTrue(chunks >= 4, "shard 0's sums should take several chunks, got " + chunks);
            int bad = 1;
            for (int c = chunks - 1; c >= 0; c--) {
                offer(c == bad ? forged : rig.grads, rig.gradsOut1, c);
            }
            answer(rig.grads, rig.gradsOut1, 1, 2, n); // after it on worker 1's stream
            JobBoard.Slot s1 = rig.board.workers.get(1);
            JobBoard.Slot s2 = rig.board.workers.get(2);
            rig.pollUntil(() -> rig.ex.dropped(DropReason.BAD_MAC) == 1 && s1.shardsDone >= 1 && s2.shardsDone == 2);

            assertFalse(rig.step.isDone(), "the step ended without shard 0");
            int verifiedFrom = rig.grads.chunkStart(bad + 1) / 4;
            float[] g0 = rig.results[0].grads;
            for (int i = 0; i < n; i++) {
                assertEquals(i >= verifiedFrom ? 1 : 0, g0[i], "shard 0's sums at " + i + " before it is asked again");
            }
            // Worker 1 is alive: shard 0 is asked for again at once, from a live worker (no one is lost).
            rig.pollUntil(() -> rig.w1.assignments.size() + rig.w2.assignments.size() == 3);
            ScriptedWorker again = rig.w1.assignments.size() == 2 ? rig.w1 : rig.w2;
            int id = again == rig.w1 ? 1 : 2;
            assertEquals("[0]", Arrays.toString(again.assignments.get(1)), "only the damaged shard is asked again");
            answer(rig.grads, id == 1 ? rig.gradsOut1 : rig.gradsOut2, id, 0, n);
            rig.step.get(10, TimeUnit.SECONDS);

            for (int k = 0; k < 4; k++) {
                for (int i = 0; i < n; i++) {
                    assertEquals(k + 1, rig.results[k].grads[i], "shard " + k + "'s sums at " + i);
                }
            }
            assertEquals(0, rig.board.shardsReassigned.get());
            assertEquals(1, rig.board.shardsReasked.get());
            assertEquals(id, rig.ex.ownerOf(0));
            assertTrue(s1.live && s2.live);
            Map<String, Object> stepMetrics = new HashMap<>();
            rig.ex.describeStep(stepMetrics);
            assertEquals(Map.of("bad_mac", 1L), stepMetrics.get("dropped"));
            Map<String, Object> run = new HashMap<>();
            rig.ex.describeRun(run);
            assertEquals(Map.of("bad_mac", 1L), run.get("dropped_messages"));
        }
    }

    @Test
    void shardsALiveWorkerKeepsTooLongAreAskedAgainWithTheirParameters() throws Exception {
        try (Rig rig = new Rig()) {
            int n = rig.n;
            rig.ex.reaskAfterNanos = 1_000_000_000L; // 30 s in a real job
            rig.startStep();
            // Worker 1 took its assignment and parameters and then nothing (its parameters lost, say): only worker
            // 2 answers.
            answer(rig.grads, rig.gradsOut2, 2, 1, n);
            answer(rig.grads, rig.gradsOut2, 2, 3, n);
            rig.pollUntil(() -> rig.w1.assignments.size() + rig.w2.assignments.size() >= 3
                    && rig.w1.kinds.contains("params v0") && rig.w1.kinds.lastIndexOf("params v0") > 1);
            assertFalse(rig.step.isDone());
            // Shards 0 and 2 went out again, and worker 1 got its parameters again.
            List<Integer> again = new ArrayList<>();
            for (ScriptedWorker w : List.of(rig.w1, rig.w2)) {
                for (int[] a : w.assignments.subList(1, w.assignments.size())) {
                    for (int k : a) {
                        again.add(k);
                        answer(rig.grads, w == rig.w1 ? rig.gradsOut1 : rig.gradsOut2, w == rig.w1 ? 1 : 2, k, n);
                    }
                }
            }
            java.util.Collections.sort(again);
            assertEquals(List.of(0, 2), again, "the overdue shards, asked again");
            rig.step.get(10, TimeUnit.SECONDS);
            for (int k = 0; k < 4; k++) {
                for (int i = 0; i < n; i++) {
                    assertEquals(k + 1, rig.results[k].grads[i], "shard " + k + "'s sums at " + i);
                }
            }
            assertEquals(2, rig.board.shardsReasked.get());
            assertEquals(0, rig.board.shardsReassigned.get());
        }
    }

    /** A worker's gradient sums for shard k: every entry k + 1. */
    private static void answer(OutgoingMessage m, Publication p, int worker, int k, int n) throws InterruptedException {
        float[] g = new float[n];
        Arrays.fill(g, k + 1);
        m.prepare(Frame.GRADS, JOB, 0, 0, k, worker, g, n, new float[0], 0, 1_000_000, 2.5);
        for (int c = 0; c < m.chunks(); c++) {
            offer(m, p, c);
        }
    }

    /** Offers chunk c of m until the publication takes it (backing off 1 ms), failing after 5 s. */
    private static void offer(OutgoingMessage m, Publication p, int c) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (m.offer(p, c) <= 0) {
            assertTrue(System.nanoTime() < deadline, "could not offer gradient chunk " + c);
            Thread.sleep(1);
        }
    }

    private static void pollUntil(BooleanSupplier done, Subscription s1, Receiver r1, Subscription s2, Receiver r2)
            throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out; drops " + r1.dropCounts() + " " + r2.dropCounts());
            if (r1.poll(s1, 16) + r2.poll(s2, 16) == 0) {
                Thread.sleep(1);
            }
        }
    }
}

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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The step thread's side of the data plane, against two scripted workers over a real media driver (IPC): each
 * worker's assignment comes ahead of the parameters on its stream, and when the actor marks a worker lost, its
 * unfinished shard goes to the other one in a second assignment, is counted and named in the events, and the step
 * completes with every shard's sums where the local executor would put them.
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

    @Test
    void aLostWorkersUnfinishedShardGoesToTheOtherAfterItsAssignmentAndParameters() throws Exception {
        var conf = ConfigFactory.parseString("dptrain.data-plane.term-length = 64k")
                .withFallback(ConfigFactory.parseResources("dptrain-cluster.conf"));
        try (DataPlane dp = DataPlane.start(DataPlane.Settings.from(conf, "127.0.0.1"))) {
            Model model = new Model(NetSpec.parse("in=784;affine(10);loss=softmax;init=std:0.01"));
            int n = model.paramCount();
            byte[] secret = Authenticator.newSecret();
            JobBoard board = new JobBoard(new JobBoard.Job(JOB, "spec", 100, 4, 1, 0, 0, "fp", "openblas", secret));
            board.workers.put(1, new JobBoard.Slot(1, null, DataPlane.IPC_ENDPOINT, 4001, "h", 1));
            board.workers.put(2, new JobBoard.Slot(2, null, DataPlane.IPC_ENDPOINT, 4002, "h", 2));
            Subscription in1 = dp.subscription(dp.ipcChannel(), 4001);
            Subscription in2 = dp.subscription(dp.ipcChannel(), 4002);
            GradInbox gradsIn = GradInbox.open(dp, 4100, false);
            Publication gradsOut1 = dp.publication(dp.ipcChannel(), 4100);
            Publication gradsOut2 = dp.publication(dp.ipcChannel(), 4100);
            ScriptedWorker w1 = new ScriptedWorker();
            ScriptedWorker w2 = new ScriptedWorker();
            Receiver r1 = new Receiver(w1, new Authenticator(secret), n * 4);
            Receiver r2 = new Receiver(w2, new Authenticator(secret), n * 4);
            RemoteShardExecutor ex = new RemoteShardExecutor(board, null, dp, gradsIn, model, 2_000_000_000L, 1);
            ShardResult[] results = new ShardResult[4];
            for (int k = 0; k < 4; k++) {
                results[k] = new ShardResult(n, 0);
            }
            int[] batch = new int[100];
            CompletableFuture<Void> step = CompletableFuture.runAsync(
                    () -> ex.computeShards(null, batch, 100, 1, 0, new float[n], new float[0], results));
            try {
                pollUntil(() -> w1.kinds.size() == 2 && w2.kinds.size() == 2, in1, r1, in2, r2);
                assertEquals(List.of("assign", "params v0"), w1.kinds, "worker 1's stream");
                assertEquals(List.of("assign", "params v0"), w2.kinds, "worker 2's stream");
                assertEquals("[0, 2]", Arrays.toString(w1.assignments.get(0)));
                assertEquals("[1, 3]", Arrays.toString(w2.assignments.get(0)));

                OutgoingMessage grads = new OutgoingMessage(n, dp.settings().chunkBytes(), new Authenticator(secret));
                for (int k : new int[] {0, 2}) {
                    answer(grads, gradsOut1, 1, k, n);
                }
                answer(grads, gradsOut2, 2, 1, n);
                Thread.sleep(200);
                assertFalse(step.isDone(), "the step ended without shard 3");
                board.workers.get(2).live = false; // what the actor does when it loses worker 2

                pollUntil(() -> w1.assignments.size() == 2, in1, r1, in2, r2);
                assertEquals("[3]", Arrays.toString(w1.assignments.get(1)), "the reassignment");
                assertEquals(List.of("assign", "params v0", "assign"), w1.kinds, "no second copy of the parameters");
                answer(grads, gradsOut1, 1, 3, n);
                step.get(10, TimeUnit.SECONDS);
            } finally {
                if (!step.isDone()) { // a failed check: with no live worker the step thread gives up after 2 s
                    board.workers.values().forEach(w -> w.live = false);
                    try {
                        step.get(20, TimeUnit.SECONDS);
                    } catch (Exception expected) {
                        // the "no live worker" failure
                    }
                }
                ex.close();
            }
            for (int k = 0; k < 4; k++) {
                assertEquals(k + 1, results[k].grads[n - 1], "shard " + k + "'s sums");
            }
            assertEquals(1, board.shardsReassigned.get());
            assertTrue(String.join("|", board.events).contains("shards [3] of step 1 reassigned: worker 1 [3]"),
                    board.events.toString());
            assertEquals(1, ex.ownerOf(3));
        }
    }

    /** A worker's gradient sums for shard k: every entry k + 1. */
    private static void answer(OutgoingMessage m, Publication p, int worker, int k, int n) throws InterruptedException {
        float[] g = new float[n];
        Arrays.fill(g, k + 1);
        m.prepare(Frame.GRADS, JOB, 0, 0, k, worker, g, n, new float[0], 0, 1_000_000, 2.5);
        for (int c = 0; c < m.chunks(); c++) {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (m.offer(p, c) <= 0) {
                assertTrue(System.nanoTime() < deadline, "could not offer gradient chunk " + c);
                Thread.sleep(1);
            }
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

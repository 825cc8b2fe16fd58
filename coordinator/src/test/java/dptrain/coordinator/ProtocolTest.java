package dptrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import dptrain.cluster.protocol.CoordinatorProtocol;
import dptrain.cluster.protocol.KryoSerializer;
import dptrain.cluster.protocol.WireMessage;
import dptrain.cluster.protocol.WorkerProtocol;
import dptrain.data.MnistFetcher;
import dptrain.worker.Worker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The actor protocols on a real cluster node (ActorTestKit): the Kryo wire format, the coordinator's offers to probe
 * workers and its watch on them, and a worker refusing a job whose data differs from its own.
 */
class ProtocolTest {
    static ActorTestKit kit;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create(ClusterNodes.node(ClusterNodes.base(null), "127.0.0.1", 0, "coordinator"));
        Cluster c = Cluster.get(kit.system());
        c.manager().tell(Join.create(c.selfMember().address()));
        long end = System.nanoTime() + 20_000_000_000L;
        while (c.selfMember().status() != MemberStatus.up()) {
            assertTrue(System.nanoTime() < end, "the test node did not come up");
            Thread.onSpinWait();
        }
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    /** A message class that is a WireMessage but not in the registry. */
    record Unregistered(int x) implements WireMessage {}

    @Test
    void everyWireMessageRoundTripsThroughKryoAndOthersAreRefused() throws Exception {
        Serialization ser = SerializationExtension.get(Adapter.toClassic(kit.system()));
        TestProbe<CoordinatorProtocol.Command> coord = kit.createTestProbe();
        TestProbe<WorkerProtocol.Command> worker = kit.createTestProbe();
        byte[] secret = {1, 2, 3};
        List<Object> messages = List.of(
                new WorkerProtocol.JobOffer(9, 2, "in=784;affine(10);loss=softmax;init=std:0.01", 100, 4, 7, 0, 0.1,
                        "abc", "openblas", "fp32", secret, "aeron:ipc", 1001, "driver-1", coord.ref()),
                new WorkerProtocol.JobDone(9, "completed"),
                new CoordinatorProtocol.WorkerReady(9, 2, worker.ref(), "127.0.0.1:4000", 2001, "h", 42, "openblas"),
                new CoordinatorProtocol.WorkerRefused(9, 2, worker.ref(), "why"),
                new CoordinatorProtocol.WorkerFailed(9, 2, 3, "boom"));
        for (Object m : messages) {
            Serializer s = ser.findSerializerFor(m);
            assertEquals(KryoSerializer.IDENTIFIER, s.identifier(), "serializer of " + m.getClass());
            Object back = s.fromBinary(s.toBinary(m), m.getClass());
            assertEquals(m.getClass(), back.getClass());
            if (back instanceof WorkerProtocol.JobOffer o) {
                assertArrayEquals(secret, o.secret());
                assertEquals(coord.ref(), o.coordinator());
            } else {
                assertEquals(m, back);
            }
        }
        Serializer kryo = ser.serializerFor(WireMessage.class);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kryo.toBinary(new Unregistered(1)));
        assertTrue(e.getMessage().contains("Unregistered"), e.getMessage());
        // Bytes naming a class id outside the registry are refused without creating anything.
        byte[] forged = kryo.toBinary(new WorkerProtocol.JobDone(1, "x"));
        forged[0] = 99;
        assertThrows(IllegalArgumentException.class, () -> kryo.fromBinary(forged, WireMessage.class));
        // A message that is no WireMessage has no serializer at all: Java serialization is off.
        assertThrows(Exception.class, () -> ser.serialize(new java.util.ArrayList<>(List.of(1))).get());
    }

    @Test
    void coordinatorOffersTheJobAndMarksADeadWorkerLost() {
        JobBoard board = new JobBoard(new JobBoard.Job(77, "spec", 100, 4, 1, 0, 0, "fp", "openblas",
                dptrain.tensor.WirePrecision.FP32, null));
        ActorRef<CoordinatorProtocol.Command> coord = kit.spawn(Coordinator.create(board, "aeron:ipc", "driver-1"));
        TestProbe<WorkerProtocol.Command> w1 = kit.createTestProbe();
        kit.system().receptionist().tell(Receptionist.register(WorkerProtocol.SERVICE_KEY, w1.ref()));
        WorkerProtocol.JobOffer o1 = w1.expectMessageClass(WorkerProtocol.JobOffer.class, Duration.ofSeconds(10));
        assertEquals(77, o1.jobId());
        assertEquals(4, o1.shards());
        coord.tell(new CoordinatorProtocol.WorkerReady(77, o1.workerId(), w1.ref(), "ipc", 2001, "h", 1, "openblas"));
        awaitLive(board, 1);

        // A second worker gets its own id; a refusal is counted and kept for the error message.
        TestProbe<WorkerProtocol.Command> w2 = kit.createTestProbe();
        kit.system().receptionist().tell(Receptionist.register(WorkerProtocol.SERVICE_KEY, w2.ref()));
        WorkerProtocol.JobOffer o2 = w2.expectMessageClass(WorkerProtocol.JobOffer.class, Duration.ofSeconds(10));
        assertTrue(o2.workerId() != o1.workerId(), "two workers with id " + o1.workerId());
        coord.tell(new CoordinatorProtocol.WorkerReady(77, o2.workerId(), w2.ref(), "ipc", 2002, "h", 2, "openblas"));
        awaitLive(board, 2);
        coord.tell(new CoordinatorProtocol.WorkerRefused(77, 9, w2.ref(), "no data"));

        // Worker 2 dies: DeathWatch marks it lost (the step thread then reassigns its shards), worker 1 stays live.
        w2.stop();
        long end = System.nanoTime() + 10_000_000_000L;
        String lost = "worker " + o2.workerId() + " lost";
        while (board.live().size() != 1 || !String.join("|", board.events).contains(lost)) {
            assertTrue(System.nanoTime() < end, "the dead worker was not marked lost: " + board.events);
            Thread.onSpinWait();
        }
        assertEquals(o1.workerId(), board.live().get(0).id);
        assertEquals(1, board.workersLost.get());
        assertEquals(1, board.workersRefused.get());
        assertTrue(board.lastRefusal.contains("no data"), board.lastRefusal);

        coord.tell(new Coordinator.Finish("completed", kit.<Coordinator.Done>createTestProbe().ref()));
        assertEquals("completed", w1.expectMessageClass(WorkerProtocol.JobDone.class).status());
    }

    @Test
    void workerRefusesAJobWhoseTrainingSetDiffers() {
        Path data = MnistFetcher.ensure(MnistFetcher.resolveDataDir(null), m -> { });
        ActorRef<WorkerProtocol.Command> w = kit.spawn(Worker.create(new Worker.Env(data, null, "127.0.0.1", 0, () -> { })));
        TestProbe<CoordinatorProtocol.Command> coord = kit.createTestProbe();
        w.tell(new WorkerProtocol.JobOffer(5, 1, "in=784;affine(10);loss=softmax;init=std:0.01", 100, 2, 1, 1000, 0,
                "not-the-fingerprint", dptrain.tensor.Blas.identity(), "fp32", null, "aeron:ipc", 1001, "driver-1", coord.ref()));
        CoordinatorProtocol.WorkerRefused r = coord.expectMessageClass(CoordinatorProtocol.WorkerRefused.class,
                Duration.ofSeconds(30));
        assertTrue(r.reason().contains("fingerprint"), r.reason());
    }

    @Test
    void workerRefusesAJobComputedWithOtherBlasKernels() {
        Path data = MnistFetcher.ensure(MnistFetcher.resolveDataDir(null), m -> { });
        String fingerprint = dptrain.train.TrainingSet.split(dptrain.train.TrainingSet.mnist(data), 1000, 0, 1).train()
                .fingerprint();
        ActorRef<WorkerProtocol.Command> w = kit.spawn(Worker.create(new Worker.Env(data, null, "127.0.0.1", 0, () -> { })));
        TestProbe<CoordinatorProtocol.Command> coord = kit.createTestProbe();
        w.tell(new WorkerProtocol.JobOffer(6, 1, "in=784;affine(10);loss=softmax;init=std:0.01", 100, 2, 1, 1000, 0,
                fingerprint, "openblas-shipped on SomeOtherCpu 6/42", "fp32", null, "aeron:ipc", 1001, "driver-1", coord.ref()));
        CoordinatorProtocol.WorkerRefused r = coord.expectMessageClass(CoordinatorProtocol.WorkerRefused.class,
                Duration.ofSeconds(30));
        assertTrue(r.reason().contains("SomeOtherCpu") && r.reason().contains(dptrain.tensor.Blas.identity())
                && r.reason().contains("OPENBLAS_CORETYPE"), r.reason());
    }

    private static void awaitLive(JobBoard board, int n) {
        long end = System.nanoTime() + 10_000_000_000L;
        while (board.live().size() < n) {
            assertTrue(System.nanoTime() < end, "workers did not become live");
            Thread.onSpinWait();
        }
    }
}

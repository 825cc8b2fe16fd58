package dptrain.coordinator;

import akka.actor.typed.ActorRef;
import dptrain.cluster.protocol.WorkerProtocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the coordinator actor (membership) and the step thread (assignment, data plane, parameter server) share for
 * one job: the workers and whether each is live, the current step with who owns and who delivered each shard, and
 * events for the metrics. Everything here is safe to touch from both.
 */
final class JobBoard {
    /** One job's fixed facts, as offered to workers. */
    record Job(long id, String netSpec, int batchSize, int shards, long seed, int trainSamples,
               double validationFraction, String fingerprint, String blas, byte[] secret) {}

    /** A worker that accepted the job. */
    static final class Slot {
        final int id;
        final ActorRef<WorkerProtocol.Command> ref;
        final String endpoint;
        final int stream;
        final String host;
        final long pid;
        volatile boolean live = true;
        volatile long versionSent = -1;
        /** Smoothed compute time per sample (ns), for assignment; 0 until measured. */
        volatile double nanosPerSample;
        /** Last step's compute, wait and share of shards (for progress and metrics). */
        volatile double lastComputeMs;
        volatile double lastWaitMs;
        volatile long shardsDone;

        Slot(int id, ActorRef<WorkerProtocol.Command> ref, String endpoint, int stream, String host, long pid) {
            this.id = id;
            this.ref = ref;
            this.endpoint = endpoint;
            this.stream = stream;
            this.host = host;
            this.pid = pid;
        }
    }

    /** The step being computed. */
    static final class Step {
        final long step;
        final long version;
        final int[] batch;
        final AtomicIntegerArray accepted;
        /** Worker id computing each shard, -1 while unassigned. */
        final AtomicIntegerArray owner;
        final long startNanos = System.nanoTime();

        Step(long step, long version, int[] batch, int shards) {
            this.step = step;
            this.version = version;
            this.batch = batch;
            this.accepted = new AtomicIntegerArray(shards);
            this.owner = new AtomicIntegerArray(shards);
            for (int k = 0; k < shards; k++) {
                owner.set(k, -1);
            }
        }
    }

    final Job job;
    final Map<Integer, Slot> workers = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
    final AtomicLong workersLost = new AtomicLong();
    final AtomicLong workersJoined = new AtomicLong();
    final AtomicLong shardsReassigned = new AtomicLong();
    final AtomicLong workersRefused = new AtomicLong();
    volatile Step current;
    volatile String lastRefusal;

    JobBoard(Job job) {
        this.job = job;
    }

    /** Workers taking shards now, by id. */
    List<Slot> live() {
        List<Slot> l = new ArrayList<>();
        for (Slot s : workers.values()) {
            if (s.live) {
                l.add(s);
            }
        }
        l.sort((a, b) -> Integer.compare(a.id, b.id));
        return l;
    }

    /** Whether any worker takes shards now (no allocation: asked on every turn of the step loop). */
    boolean anyLive() {
        for (Slot s : workers.values()) {
            if (s.live) {
                return true;
            }
        }
        return false;
    }

    /** Records an event for the metrics and the console. */
    void event(String what) {
        events.add(what);
    }
}

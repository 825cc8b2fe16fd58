package dptrain.coordinator;

import akka.actor.typed.ActorRef;
import dptrain.cluster.protocol.WorkerProtocol;
import dptrain.tensor.WirePrecision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the coordinator actor (membership) and the step thread (assignment, data plane, parameter server) share for
 * one job: the workers and whether each is live, counts and events for the metrics. Everything here is safe to touch
 * from both; the step being computed is the step thread's own.
 */
final class JobBoard {
    /** One job's fixed facts, as offered to workers; wire: how parameters and gradient sums travel. */
    record Job(long id, String netSpec, int batchSize, int shards, long seed, int trainSamples,
               double validationFraction, String fingerprint, String blas, WirePrecision wire, byte[] secret) {}

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

    final Job job;
    final Map<Integer, Slot> workers = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
    final AtomicLong workersLost = new AtomicLong();
    final AtomicLong workersJoined = new AtomicLong();
    final AtomicLong shardsReassigned = new AtomicLong();
    /** Shards asked for again from a live worker because their gradients came damaged or not at all. */
    final AtomicLong shardsReasked = new AtomicLong();
    final AtomicLong workersRefused = new AtomicLong();
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

package dptrain.cluster.protocol;

import java.util.List;

/**
 * The one list of classes Kryo may read or write, shared by every node. Ids are positions in this list plus
 * {@link #FIRST_ID}: append new classes at the end, never reorder, or nodes of different builds misread each other.
 */
public final class Registry {
    private Registry() {}

    /** Holds a retired class's id, so that the ids after it keep their meaning; never sent. */
    private static final class Retired {
        private Retired() {}
    }

    /** Ids below this are Kryo's own (primitives, String …). */
    public static final int FIRST_ID = 100;

    /** Every class that crosses the wire, in id order. */
    public static final List<Class<?>> CLASSES = List.of(
            byte[].class,
            int[].class,
            WorkerProtocol.JobOffer.class,
            Retired.class, // id 103 was WorkerProtocol.Assign: assignments now travel on the data plane
            WorkerProtocol.JobDone.class,
            CoordinatorProtocol.WorkerReady.class,
            CoordinatorProtocol.WorkerRefused.class,
            CoordinatorProtocol.WorkerFailed.class,
            String[].class,
            SearchProtocol.RunTrial.class,
            SearchProtocol.CheckpointChunk.class,
            SearchProtocol.StopSearch.class,
            SearchProtocol.TrialStarted.class,
            SearchProtocol.TrialEpoch.class,
            SearchProtocol.TrialEnded.class);
}

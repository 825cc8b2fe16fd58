package dptrain.worker;

import java.util.function.BooleanSupplier;

/**
 * Runs one unit of a search (a {@code train} command line up to an epoch) with the in-process trainer, on the
 * calling thread. The worker node provides it (it knows how to turn a command line into a training run); the
 * {@link TrialWorker} actor only moves messages.
 */
public interface TrialRunner {
    /** What a unit reports while it trains; called on the unit's thread. */
    interface Events {
        /** An epoch ended; record is its metrics.jsonl line. */
        void epoch(String record);

        /** A checkpoint file (of step) to keep at the coordinator: after epochs now and then, and at a pause. */
        void checkpoint(long step, byte[] bytes);
    }

    /** How a unit ended: status "ok" or "diverged", the trainer's summary (JSON), and the error if any. */
    record Outcome(String status, String summary, String error) {}

    /**
     * Trains args up to epoch, from the checkpoint bytes resume (null: from the start). Stops early, throwing
     * {@link java.util.concurrent.CancellationException}, once stop says so. Bad arguments throw
     * IllegalArgumentException.
     */
    Outcome run(String[] args, int epoch, byte[] resume, Events events, BooleanSupplier stop) throws Exception;

    /** The fingerprint of this node's MNIST training images, which the coordinator compares with its own. */
    String mnistFingerprint();
}

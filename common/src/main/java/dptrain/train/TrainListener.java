package dptrain.train;

import java.util.Map;

/** Watches a training run: progress bars, plots and logs hang off these calls instead of living in the loop. */
public interface TrainListener {
    /** The run starts (or resumes) at startStep of totalSteps; stepsPerEpoch and samplesPerStep for progress. */
    default void onStart(long startStep, long totalSteps, int stepsPerEpoch, int samplesPerStep) {}

    /** A step finished: its 0-based number, mean loss, learning rate and cumulated training seconds. */
    default void onStep(long step, double loss, float lr, double trainSeconds) {}

    /** An epoch finished; the record is the object written to metrics.jsonl. */
    default void onEpoch(Map<String, Object> record) {}

    /** The run finished; the summary is what summary.json holds. */
    default void onEnd(Map<String, Object> summary) {}
}

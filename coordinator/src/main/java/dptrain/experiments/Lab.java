package dptrain.experiments;

import java.nio.file.Path;
import java.util.List;

/** Where a study runs: its output directory, its scale, and the cluster that trains its networks. */
public interface Lab {
    /** The study's directory: plots/, its CSV and summary go here. */
    Path dir();

    /** The directory of the study's PNGs (created). */
    Path plotsDir();

    /** True for the small, fast version of a study (tests): fewer steps, same findings. */
    boolean quick();

    /** The study's seed: the same seed gives the same numbers, whatever the cluster. */
    long seed();

    /** One training of a study: a label for plots and its own train flags (beside the study's fixed ones). */
    record Variant(String label, List<String> args) {}

    /**
     * Trains one network per variant, each with the fixed train flags and its own, for the given epochs, holding out
     * validationFraction of the training images (scores without the test set); the trainings run side by side on
     * the cluster's workers, as the trials of a search. Returns them in the variants' order.
     */
    List<Training> train(String what, List<String> fixedArgs, List<Variant> variants, int epochs,
                         double validationFraction) throws Exception;

    /** Runs {@code train} here with these flags (no test set) in a run directory under the study's; returns it. */
    Path trainHere(String what, List<String> args) throws Exception;

    /** The MNIST directory. */
    Path dataDir();

    /** Prints a line of progress. */
    void say(String line);
}

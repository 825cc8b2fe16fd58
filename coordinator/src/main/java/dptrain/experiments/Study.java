package dptrain.experiments;

import java.util.List;

/**
 * One of the book's studies: what it shows, and how to run it on a {@link Lab}. A study computes what needs no
 * training itself, hands its trainings to the lab (which farms them out to the cluster's workers), then writes its
 * plots and CSV into the lab's directory and says which of the book's findings this run reproduced.
 */
public interface Study {
    /** The name on the command line, e.g. "optimizers". */
    String name();

    /** One line: what the study shows. */
    String description();

    /** Runs the study; the findings it checked, each reproduced or not. */
    List<Finding> run(Lab lab) throws Exception;

    /** Every study, in the book's order. */
    static List<Study> all() {
        return List.of(new PerceptronStudy(), new OptimizersStudy(), new WeightInitStudy(), new BatchNormStudy(),
                new OverfittingStudy(), new FiltersStudy());
    }
}

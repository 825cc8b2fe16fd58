package dptrain.cli;

import picocli.CommandLine.Command;

/** The coordinator of a job on real hosts: workers join it with {@code dptrain worker --join HOST:PORT}. */
@Command(name = "coordinator", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs the coordinator of a training job on this host (Akka port --port, default 25520) and "
                + "waits for --workers workers to join (dptrain worker --join HOST:PORT) before training. "
                + "Takes every flag of train; --resume continues from the run directory's last checkpoint.")
final class CoordinatorCommand extends TrainCommand {
    @Override
    TrainJob.Mode mode() {
        return TrainJob.Mode.COORDINATOR;
    }
}

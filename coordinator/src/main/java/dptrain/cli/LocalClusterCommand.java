package dptrain.cli;

import picocli.CommandLine.Command;

/** The training job on a coordinator (this JVM) and N worker JVMs on loopback. */
@Command(name = "local-cluster", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains on a simulated cluster on this machine: this JVM is the coordinator, --workers N worker "
                + "JVMs join it over loopback (Akka remoting, Aeron UDP). Each JVM's log and pid file go to the run "
                + "directory; all stop at the end or on Ctrl-C. Takes every flag of train.")
final class LocalClusterCommand extends TrainCommand {
    @Override
    TrainJob.Mode mode() {
        return TrainJob.Mode.LOCAL_CLUSTER;
    }
}

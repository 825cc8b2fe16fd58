package dptrain.cli;

import dptrain.data.DataException;
import dptrain.train.TrainingDivergedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The dptrain command line: train, eval and fetch-mnist. */
@Command(name = "dptrain", mixinStandardHelpOptions = true, version = "dptrain 0.1.0",
        description = "Trains the networks of \"Deep Learning from Scratch\" on MNIST, data-parallel.",
        subcommands = {TrainCommand.class, EvalCommand.class, FetchMnistCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code for a bad flag, value or file given by the user. */
    public static final int USAGE = 2;
    /** Exit code for a failure while running (data, I/O). */
    public static final int FAILED = 1;
    /** Exit code for a diverged training run. */
    public static final int DIVERGED = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: expected one of train, eval, "
                + "fetch-mnist (see dptrain --help)");
    }

    /** Builds the command line with dptrain's error handling. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(Main::handle);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (e instanceof IllegalArgumentException) {
            err.println("error: " + e.getMessage());
            return USAGE;
        }
        if (e instanceof TrainingDivergedException) {
            err.println("error: " + e.getMessage());
            return DIVERGED;
        }
        if (e instanceof DataException || e instanceof IOException || e instanceof UncheckedIOException) {
            err.println("error: " + e.getMessage());
            return FAILED;
        }
        err.println("error: " + e);
        e.printStackTrace(err);
        return FAILED;
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }
}

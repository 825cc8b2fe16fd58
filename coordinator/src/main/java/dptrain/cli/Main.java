package dptrain.cli;

import dptrain.data.DataException;
import dptrain.train.TrainingDivergedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The dptrain command line: train, local-cluster, coordinator, search, worker, eval and fetch-mnist. */
@Command(name = "dptrain", mixinStandardHelpOptions = true, version = "dptrain 0.1.0",
        description = "Trains the networks of \"Deep Learning from Scratch\" on MNIST, data-parallel.",
        subcommands = {TrainCommand.class, LocalClusterCommand.class, CoordinatorCommand.class, SearchCommand.class,
                WorkerCommand.class,
                EvalCommand.class, FetchMnistCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code for a bad flag, value or file given by the user. */
    public static final int USAGE = 2;
    /** Exit code for a failure while running (data, I/O). */
    public static final int FAILED = 1;
    /** Exit code for a diverged training run. */
    public static final int DIVERGED = 3;

    @Override
    public void run() {
        throw new IllegalArgumentException("missing command: expected one of train, local-cluster, coordinator, search, worker, eval, fetch-mnist "
                + "(see dptrain --help)");
    }

    /** Builds the command line with dptrain's error handling, printing to the given writers. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        // The handler keeps its own reference: picocli may hand it a command whose writer was reset.
        cl.setExecutionExceptionHandler((e, c, parsed) -> handle(e, err));
        return cl;
    }

    /** The exit code for e, after its message (and, for a fault of dptrain's, its trace) went to err. */
    static int handle(Exception e, PrintWriter err) {
        if (e instanceof NumberFormatException) {
            // Every value a user gives is parsed into a named error first; a bare one is a fault of dptrain's, not
            // a usage error: say so, with the trace, and exit 1.
            err.println("error: internal: " + e);
            e.printStackTrace(err);
            return FAILED;
        }
        if (e instanceof IllegalArgumentException) {
            err.println("error: " + e.getMessage());
            return USAGE;
        }
        if (e instanceof TrainingDivergedException) {
            err.println("error: " + e.getMessage());
            return DIVERGED;
        }
        if (e instanceof DataException || e instanceof IOException || e instanceof UncheckedIOException
                || e instanceof IllegalStateException) {
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
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = commandLine(out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }
}

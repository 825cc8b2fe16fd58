package dptrain.cli;

import dptrain.data.DataException;
import dptrain.train.TrainingDivergedException;
import dptrain.util.InvalidSetting;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The dptrain command line: train, local-cluster, coordinator, search, worker, eval, fetch-mnist, example and experiment. */
@Command(name = "dptrain", mixinStandardHelpOptions = true, version = "dptrain 0.1.0",
        description = "Trains the networks of \"Deep Learning from Scratch\" on MNIST, data-parallel.",
        subcommands = {TrainCommand.class, LocalClusterCommand.class, CoordinatorCommand.class, SearchCommand.class,
                WorkerCommand.class,
                EvalCommand.class, FetchMnistCommand.class, ExampleCommand.class, ExperimentCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code for a bad flag, value or file given by the user. */
    public static final int USAGE = 2;
    /** Exit code for a failure while running (data, I/O). */
    public static final int FAILED = 1;
    /** Exit code for a diverged training run. */
    public static final int DIVERGED = 3;

    @Override
    public void run() {
        throw new IllegalArgumentException("missing command: expected one of train, local-cluster, coordinator, search, worker, eval, fetch-mnist, example, experiment "
                + "(see dptrain --help)");
    }

    /** Builds the command line with dptrain's error handling, printing to the given writers. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExitCodeExceptionMapper(Main::exitCode);
        // A bad flag: one line naming it (and picocli's suggestions for a misspelt one), not the whole usage.
        cl.setParameterExceptionHandler((e, args) -> {
            PrintWriter w = e.getCommandLine().getErr();
            w.println("error: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, w);
            w.println("  (dptrain " + e.getCommandLine().getCommandName() + " --help lists every flag)");
            return USAGE;
        });
        // The handler keeps its own reference: picocli may hand it a command whose writer was reset.
        cl.setExecutionExceptionHandler((e, c, parsed) -> handle(e, err));
        return cl;
    }

    /**
     * The exit code for a failure: a bad flag, value or file of the user's is 2, a diverged run 3, anything else 1.
     * A bare NumberFormatException is dptrain's fault, not a usage error: every value a user gives is parsed into a
     * named error first.
     */
    static int exitCode(Throwable e) {
        if (e instanceof NumberFormatException) {
            return FAILED;
        }
        if (e instanceof IllegalArgumentException || e instanceof CommandLine.ParameterException) {
            return USAGE;
        }
        return e instanceof TrainingDivergedException ? DIVERGED : FAILED;
    }

    /** Whether e is one of the failures a user is told about in one line (no trace). */
    private static boolean expected(Throwable e) {
        return !(e instanceof NumberFormatException) && (e instanceof IllegalArgumentException
                || e instanceof TrainingDivergedException || e instanceof DataException || e instanceof IOException
                || e instanceof UncheckedIOException || e instanceof IllegalStateException);
    }

    /** Reports e on err (its message; with its trace if it is a fault of dptrain's) and returns its exit code. */
    static int handle(Exception e, PrintWriter err) {
        if (expected(e)) {
            // A setting the library names by its config.json key is reported by the flag that set it.
            err.println("error: " + InvalidSetting.describe(e, TrainCommand::flagOf));
        } else {
            err.println("error: " + (e instanceof NumberFormatException ? "internal: " : "") + e);
            e.printStackTrace(err);
        }
        return exitCode(e);
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

package dptrain.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the dptrain command line in this JVM and captures what it printed. */
final class Cli {
    /** Exit code, stdout and stderr of one invocation (stderr also holds what System.err got). */
    record Result(int exit, String out, String err) {}

    private Cli() {}

    /** a followed by b (flag lists). */
    static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
        java.io.PrintStream oldErr = System.err;
        java.io.PrintStream oldOut = System.out;
        java.io.ByteArrayOutputStream sysErr = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream sysOut = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(sysErr, true));
        System.setOut(new java.io.PrintStream(sysOut, true));
        try {
            int code = cl.execute(args);
            return new Result(code, out + sysOut.toString(), err + sysErr.toString());
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
    }
}

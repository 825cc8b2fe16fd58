package dptrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.train.TrainingDivergedException;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** What the command line exits with: 2 for what the user gave, 3 for a diverged run, 1 for everything else. */
class ExitCodeTest {
    private static int exit(Exception e, String expectedText) {
        StringWriter w = new StringWriter();
        int code = Main.handle(e, new PrintWriter(w, true));
        assertTrue(w.toString().contains(expectedText), w.toString());
        return code;
    }

    @Test
    void userErrorsDivergenceAndFaultsHaveTheirOwnCodes() {
        assertEquals(Main.USAGE, exit(new IllegalArgumentException("invalid value for --lr: -1"), "--lr"));
        assertEquals(Main.DIVERGED, exit(new TrainingDivergedException("training diverged at step 3"), "step 3"));
        assertEquals(Main.FAILED, exit(new IllegalStateException("no worker for 120 s"), "no worker"));
        // A NumberFormatException is an IllegalArgumentException, but every user value is parsed into a named
        // error first: a bare one is dptrain's fault, not a usage error.
        assertEquals(Main.FAILED, exit(new NumberFormatException("For input string: \"x\""), "internal"));
    }
}

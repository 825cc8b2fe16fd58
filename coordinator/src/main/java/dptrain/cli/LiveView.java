package dptrain.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * A block of lines redrawn in place on a terminal (a search's status, its running units and its top 10), with
 * events printed above it so they scroll by while the block stays at the bottom. Lines are cut to the terminal's
 * width ($COLUMNS, else 120) and the block to its height: a wrapped or scrolled line would throw off the count of
 * lines to redraw.
 */
final class LiveView {
    private final PrintStream out;
    private final int width;
    private final int height;
    private int drawn;

    LiveView(PrintStream out) {
        this.out = out;
        this.width = Math.max(20, env("COLUMNS", 120));
        this.height = Math.max(5, env("LINES", 40) - 2);
    }

    private static int env(String name, int otherwise) {
        try {
            return Integer.parseInt(System.getenv().getOrDefault(name, Integer.toString(otherwise)).trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** Prints a line above the block. */
    void event(String line) {
        clear();
        out.println(line);
        out.flush();
    }

    /** Replaces the block with lines (as many as the terminal's height allows: $LINES, else 40). */
    void draw(List<String> lines) {
        clear();
        StringBuilder b = new StringBuilder();
        int n = Math.min(lines.size(), height);
        for (String l : lines.subList(0, n)) {
            b.append(l.length() < width ? l : l.substring(0, width - 1)).append('\n');
        }
        out.print(b);
        out.flush();
        drawn = n;
    }

    /** Removes the block (the cursor goes back to where it began). */
    void clear() {
        if (drawn > 0) {
            out.print("\033[" + drawn + "F\033[J");
            drawn = 0;
        }
    }
}

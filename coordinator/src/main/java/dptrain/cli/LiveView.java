package dptrain.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * A block of lines redrawn in place on a terminal (a search's status, its running units and its top 10), with
 * events printed above it so they scroll by while the block stays at the bottom. Lines are cut to the terminal's
 * width ($COLUMNS, else 120): a wrapped line would throw off the count of lines to redraw.
 */
final class LiveView {
    private final PrintStream out;
    private final int width;
    private int drawn;

    LiveView(PrintStream out) {
        this.out = out;
        int w = 120;
        try {
            w = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "120").trim());
        } catch (NumberFormatException e) {
            // keep 120
        }
        this.width = Math.max(20, w);
    }

    /** Prints a line above the block. */
    void event(String line) {
        clear();
        out.println(line);
        out.flush();
    }

    /** Replaces the block with lines. */
    void draw(List<String> lines) {
        clear();
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            b.append(l.length() < width ? l : l.substring(0, width - 1)).append('\n');
        }
        out.print(b);
        out.flush();
        drawn = lines.size();
    }

    /** Removes the block (the cursor goes back to where it began). */
    void clear() {
        if (drawn > 0) {
            out.print("\033[" + drawn + "F\033[J");
            drawn = 0;
        }
    }
}

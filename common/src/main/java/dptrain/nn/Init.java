package dptrain.nn;

/**
 * How weights start: a fixed standard deviation (the book's 0.01), Xavier √(1/n) or He √(2/n), where n is the
 * number of inputs feeding one unit (fan-in). Biases start at zero, batch-norm gamma at one.
 */
public record Init(Kind kind, double std) {
    /** The three schemes of the book. */
    public enum Kind { STD, XAVIER, HE }

    /** A fixed standard deviation. */
    public static Init std(double std) {
        if (!(std > 0) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("init std must be a positive number, got " + std);
        }
        return new Init(Kind.STD, std);
    }

    /** Xavier: √(1/fan-in). */
    public static Init xavier() {
        return new Init(Kind.XAVIER, 0);
    }

    /** He: √(2/fan-in). */
    public static Init he() {
        return new Init(Kind.HE, 0);
    }

    /** The standard deviation for a weight with the given fan-in. */
    public double scale(int fanIn) {
        return switch (kind) {
            case STD -> std;
            case XAVIER -> Math.sqrt(1.0 / fanIn);
            case HE -> Math.sqrt(2.0 / fanIn);
        };
    }

    /** Parses "he", "xavier" or "std:0.01" (also a bare number, read as a std). */
    public static Init parse(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("he")) {
            return he();
        }
        if (t.equals("xavier")) {
            return xavier();
        }
        String num = t.startsWith("std:") ? t.substring(4) : t;
        try {
            return std(Double.parseDouble(num));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unknown init '" + s + "': expected he, xavier or std:<number>");
        }
    }

    /** The form {@link #parse} reads. */
    public String describe() {
        return switch (kind) {
            case STD -> "std:" + std;
            case XAVIER -> "xavier";
            case HE -> "he";
        };
    }
}

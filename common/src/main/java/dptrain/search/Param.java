package dptrain.search;

import java.util.List;
import java.util.Locale;

/**
 * One dimension of a search space: a {@code train} setting and the distribution its values are drawn from. Every
 * sampler draws a point u in [0, 1) per dimension and this class maps it to a value, so random, Sobol, grid and
 * Bayesian proposals all share one mapping (log-scaled dimensions are uniform in log space).
 */
public record Param(String name, Kind kind, double lo, double hi, List<String> choices) {
    /** The distribution of a parameter. */
    public enum Kind {
        UNIFORM, LOG_UNIFORM, INT, LOG_INT, CHOICE;

        /** The text form used in --param and in space files. */
        public String text() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** What a distribution must look like, for error messages. */
    public static final String FORMS = "uniform:LO:HI, log-uniform:LO:HI, int:LO:HI, log-int:LO:HI or choice:A,B,...";

    /** Checks the range, naming the parameter. */
    public Param {
        String where = "parameter '" + name + "'";
        if (kind == Kind.CHOICE) {
            if (choices == null || choices.isEmpty() || choices.stream().anyMatch(String::isBlank)) {
                throw new IllegalArgumentException(where + ": choice needs at least one non-empty value (expected "
                        + "choice:A,B,...)");
            }
            if (choices.stream().distinct().count() != choices.size()) {
                throw new IllegalArgumentException(where + ": choice values repeat: " + String.join(",", choices));
            }
            choices = List.copyOf(choices);
        } else {
            if (!Double.isFinite(lo) || !Double.isFinite(hi) || !(lo < hi)) {
                throw new IllegalArgumentException(where + ": " + kind.text() + " range " + fmt(lo) + ".." + fmt(hi)
                        + " is empty or not finite (expected LO < HI)");
            }
            if ((kind == Kind.LOG_UNIFORM || kind == Kind.LOG_INT) && lo <= 0) {
                throw new IllegalArgumentException(where + ": " + kind.text() + " needs LO > 0 (got " + fmt(lo) + ")");
            }
            if ((kind == Kind.INT || kind == Kind.LOG_INT) && (lo != Math.rint(lo) || hi != Math.rint(hi))) {
                throw new IllegalArgumentException(where + ": " + kind.text() + " bounds must be integers (got "
                        + fmt(lo) + ".." + fmt(hi) + ")");
            }
            choices = null;
        }
    }

    /** Parses "KIND:ARGS" for parameter name, e.g. "log-uniform:1e-6:1e-2" or "choice:sgd,adam". */
    public static Param parse(String name, String spec) {
        int c = spec.indexOf(':');
        String kindText = c < 0 ? spec : spec.substring(0, c);
        String rest = c < 0 ? "" : spec.substring(c + 1);
        Kind kind = switch (kindText.trim().toLowerCase(Locale.ROOT)) {
            case "uniform" -> Kind.UNIFORM;
            case "log-uniform", "loguniform" -> Kind.LOG_UNIFORM;
            case "int" -> Kind.INT;
            case "log-int" -> Kind.LOG_INT;
            case "choice" -> Kind.CHOICE;
            default -> throw new IllegalArgumentException("parameter '" + name + "': unknown distribution '" + kindText
                    + "' (expected " + FORMS + ")");
        };
        if (kind == Kind.CHOICE) {
            return new Param(name, kind, 0, 0, List.of(rest.split(",", -1)).stream().map(String::trim).toList());
        }
        String[] b = rest.split(":", -1);
        if (b.length != 2) {
            throw new IllegalArgumentException("parameter '" + name + "': '" + spec + "' (expected " + kind.text()
                    + ":LO:HI)");
        }
        return new Param(name, kind, number(name, b[0]), number(name, b[1]), null);
    }

    private static double number(String name, String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("parameter '" + name + "': '" + s + "' is not a number");
        }
    }

    /** Whether the values are spread on a log scale. */
    public boolean log() {
        return kind == Kind.LOG_UNIFORM || kind == Kind.LOG_INT;
    }

    /** The value at u in [0, 1), as the text given to {@code train}'s flag. */
    public String value(double u) {
        double x = Math.min(Math.max(u, 0), Math.nextDown(1.0));
        return switch (kind) {
            case UNIFORM -> Float.toString((float) (lo + x * (hi - lo)));
            case LOG_UNIFORM -> Float.toString((float) Math.exp(Math.log(lo) + x * (Math.log(hi) - Math.log(lo))));
            case INT -> Long.toString((long) Math.min(hi, lo + Math.floor(x * (hi - lo + 1))));
            case LOG_INT -> {
                double l = Math.log(lo);
                double h = Math.log(hi + 1);
                yield Long.toString((long) Math.min(hi, Math.floor(Math.exp(l + x * (h - l)))));
            }
            case CHOICE -> choices.get((int) Math.min(choices.size() - 1, Math.floor(x * choices.size())));
        };
    }

    /** The n grid values of this dimension (all choices, at most hi − lo + 1 integers, n spread otherwise). */
    public List<String> grid(int n) {
        if (kind == Kind.CHOICE) {
            return choices;
        }
        int m = (kind == Kind.INT || kind == Kind.LOG_INT) ? (int) Math.min(n, hi - lo + 1) : n;
        if (m <= 1) {
            return List.of(endpoint(0.5));
        }
        return java.util.stream.IntStream.range(0, m).mapToObj(i -> endpoint((double) i / (m - 1))).distinct().toList();
    }

    /** The value at t in [0, 1] with both ends included (the grid's points). */
    private String endpoint(double t) {
        return switch (kind) {
            case UNIFORM -> Float.toString((float) (lo + t * (hi - lo)));
            case LOG_UNIFORM -> Float.toString((float) Math.exp(Math.log(lo) + t * (Math.log(hi) - Math.log(lo))));
            case INT -> Long.toString(Math.round(lo + t * (hi - lo)));
            case LOG_INT -> Long.toString(Math.round(Math.exp(Math.log(lo) + t * (Math.log(hi) - Math.log(lo)))));
            case CHOICE -> throw new IllegalStateException();
        };
    }

    /** The point in [0, 1) whose value is v (for a value given by a grid): the inverse of {@link #value}. */
    public double unit(String v) {
        if (kind == Kind.CHOICE) {
            return (choices.indexOf(v) + 0.5) / choices.size();
        }
        double x = Double.parseDouble(v);
        double t = switch (kind) {
            case UNIFORM -> (x - lo) / (hi - lo);
            case LOG_UNIFORM -> (Math.log(x) - Math.log(lo)) / (Math.log(hi) - Math.log(lo));
            case INT -> (x - lo + 0.5) / (hi - lo + 1);
            case LOG_INT -> (Math.log(x + 0.5) - Math.log(lo)) / (Math.log(hi + 1) - Math.log(lo));
            default -> throw new IllegalStateException();
        };
        return Math.min(Math.max(t, 0), Math.nextDown(1.0));
    }

    /** The text form, as given to --param: "name=kind:args". */
    public String describe() {
        return name + "=" + kind.text() + ":" + (kind == Kind.CHOICE ? String.join(",", choices) : fmt(lo) + ":" + fmt(hi));
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}

package dptrain.util;

import java.util.function.UnaryOperator;

/**
 * A setting with a value out of its range, named by its key in config.json and summary.json ({@code batch_size},
 * {@code lr_gamma} …). The library knows settings, not flags: a front end that took the value from a flag or a file
 * names that with {@link #message(String)}.
 */
public final class InvalidSetting extends IllegalArgumentException {
    private final String setting;
    private final String value;
    private final String expected;

    /** A bad value of the setting, with what was expected (e.g. "an integer >= 1"). */
    public InvalidSetting(String setting, Object value, String expected) {
        super("invalid value for " + setting + ": " + value + " (expected " + expected + ")");
        this.setting = setting;
        this.value = String.valueOf(value);
        this.expected = expected;
    }

    /** The setting's key, as in config.json. */
    public String setting() {
        return setting;
    }

    /** The same message with the setting called by the name the user gave it, e.g. its flag. */
    public String message(String name) {
        return "invalid value for " + name + ": " + value + " (expected " + expected + ")";
    }

    /** The message of any exception, with an InvalidSetting's setting renamed by names (e.g. key → flag). */
    public static String describe(Throwable e, UnaryOperator<String> names) {
        return e instanceof InvalidSetting s ? s.message(names.apply(s.setting)) : e.getMessage();
    }

    /** Throws an InvalidSetting unless ok. */
    public static void require(boolean ok, String setting, Object value, String expected) {
        if (!ok) {
            throw new InvalidSetting(setting, value, expected);
        }
    }
}

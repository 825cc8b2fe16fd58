package dptrain.data;

import java.nio.file.Path;

/** Signals any problem with training data: a missing, malformed, corrupt or unobtainable file. */
public final class DataException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message already names the file, what was found and what was expected. */
    public DataException(String message) {
        super(message);
    }

    /** Creates an exception wrapping a lower-level cause (typically an IOException). */
    public DataException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Creates an exception whose message starts with the absolute path of the offending file. */
    public static DataException about(Path file, String problem) {
        return new DataException(file.toAbsolutePath() + ": " + problem);
    }

    /** Creates an exception naming the file and wrapping the I/O error that occurred on it. */
    public static DataException about(Path file, String problem, Throwable cause) {
        return new DataException(file.toAbsolutePath() + ": " + problem + ": " + describe(cause), cause);
    }

    private static String describe(Throwable cause) {
        String text = cause.getMessage();
        return cause.getClass().getSimpleName() + (text == null ? "" : " (" + text + ")");
    }
}

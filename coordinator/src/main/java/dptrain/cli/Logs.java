package dptrain.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the nodes' logs go while a command with a run directory runs: all of them to RUN_DIR/logs/dptrain.log, and
 * to the terminal only at WARN and above (everything with --verbose), so that what a user watches (the progress,
 * the live view, the events that matter) is not broken up by the nodes' INFO lines. Worker JVMs, whose standard
 * error is already their log file, keep logging there.
 */
final class Logs {
    private static final String FILE = "dptrain-run-dir";
    private static final String CONSOLE = "STDERR";

    private Logs() {}

    /** Sends the logs to runDir/logs/dptrain.log, and only warnings and errors to the terminal unless verbose. */
    static Path toRunDir(Path runDir, boolean verbose) throws IOException {
        Path file = Files.createDirectories(runDir.resolve("logs")).resolve("dptrain.log");
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext lc)) {
            return file; // another slf4j binding: leave its configuration alone
        }
        ch.qos.logback.classic.Logger root = lc.getLogger(Logger.ROOT_LOGGER_NAME);
        Appender<ILoggingEvent> old = root.getAppender(FILE);
        if (old != null) { // an earlier command in this JVM (tests run several)
            root.detachAppender(old);
            old.stop();
        }
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(lc);
        enc.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n");
        enc.start();
        FileAppender<ILoggingEvent> fa = new FileAppender<>();
        fa.setContext(lc);
        fa.setName(FILE);
        fa.setFile(file.toString());
        fa.setAppend(true);
        fa.setEncoder(enc);
        fa.start();
        root.addAppender(fa);
        Appender<ILoggingEvent> console = root.getAppender(CONSOLE);
        if (console != null) {
            console.clearAllFilters();
            if (!verbose) {
                ThresholdFilter warn = new ThresholdFilter();
                warn.setLevel(Level.WARN.toString());
                warn.start();
                console.addFilter(warn);
            }
        }
        return file;
    }
}

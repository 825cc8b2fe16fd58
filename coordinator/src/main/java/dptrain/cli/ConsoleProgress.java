package dptrain.cli;

import dptrain.train.TrainListener;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress you can watch: on a terminal a progress bar (samples, samples/s, ETA, epoch and loss); otherwise (logs,
 * CI) a plain line every ten seconds. Every epoch prints one line with losses and accuracies.
 */
final class ConsoleProgress implements TrainListener {
    private static final long LINE_INTERVAL_NANOS = 10_000_000_000L;
    private final boolean quiet;
    private final PrintStream out;
    private ProgressBar bar;
    private long start;
    private long total;
    private int spe;
    private int batch;
    private long startNanos;
    private long lastLine;
    private double startSeconds = -1;

    private java.util.function.Supplier<String> status = () -> "";

    ConsoleProgress(boolean quiet, PrintStream out) {
        this.quiet = quiet;
        this.out = out;
    }

    /** Adds the supplier's text (e.g. per-worker compute/wait times) to every progress line. */
    ConsoleProgress withStatus(java.util.function.Supplier<String> status) {
        this.status = status;
        return this;
    }

    private String status() {
        String s = status.get();
        return s.isEmpty() ? "" : "  " + s;
    }

    @Override
    public void onStart(long startStep, long totalSteps, int stepsPerEpoch, int samplesPerStep) {
        this.start = startStep;
        this.total = totalSteps;
        this.spe = stepsPerEpoch;
        this.batch = samplesPerStep;
        this.startNanos = System.nanoTime();
        this.lastLine = startNanos;
        if (startStep > 0) {
            out.printf(Locale.ROOT, "resuming at step %d of %d%n", startStep, totalSteps);
        }
        if (!quiet && System.console() != null) {
            bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(totalSteps * samplesPerStep)
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUnit(" img", 1).showSpeed()
                    .setUpdateIntervalMillis(250).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out))
                    .startsFrom(startStep * samplesPerStep, Duration.ZERO).build();
        }
    }

    @Override
    public void onStep(long step, double loss, float lr, double trainSeconds) {
        if (startSeconds < 0) {
            startSeconds = trainSeconds;
        }
        long now = System.nanoTime();
        if (bar != null) {
            bar.stepTo((step + 1) * batch);
            if (now - lastLine >= 250_000_000L) { // the bar redraws every 250 ms: format no more often
                lastLine = now;
                bar.setExtraMessage(String.format(Locale.ROOT, "  epoch %d  loss %.4f%s", step / spe + 1, loss, status()));
            }
            return;
        }
        if (!quiet && now - lastLine >= LINE_INTERVAL_NANOS) {
            lastLine = now;
            double done = step + 1 - start;
            double elapsed = (now - startNanos) / 1e9;
            double eta = elapsed / done * (total - step - 1);
            out.printf(Locale.ROOT, "step %d/%d (%.0f%%) epoch %d loss %.4f  %.0f samples/s  ETA %s%s%n", step + 1,
                    total, 100.0 * (step + 1) / total, step / spe + 1, loss,
                    done * batch / (trainSeconds - startSeconds + 1e-9), format(eta), status());
        }
    }

    @Override
    public void onEpoch(Map<String, Object> r) {
        String line = String.format(Locale.ROOT, "epoch %.0f: loss %.4f  train %s  validation %s  test %s  (%.0f samples/s)",
                Math.ceil((Double) r.get("epoch")), (Double) r.get("train_loss"), pct(r.get("train_accuracy")),
                pct(r.get("validation_accuracy")), pct(r.get("test_accuracy")), (Double) r.get("samples_per_second"));
        if (bar != null) {
            out.print("\r\033[2K"); // the bar only runs on a terminal: clear its line, print, let it redraw below
        }
        out.println(line);
    }

    @Override
    public void onEnd(Map<String, Object> summary) {
        if (bar != null) {
            bar.close();
        }
    }

    private static String pct(Object v) {
        return v instanceof Double d && !d.isNaN() ? String.format(Locale.ROOT, "%.2f%%", 100 * d) : "-";
    }

    private static String format(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}

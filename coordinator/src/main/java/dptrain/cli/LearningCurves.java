package dptrain.cli;

import dptrain.train.RunDirectory;
import dptrain.train.TrainListener;
import dptrain.util.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes plots/loss.png and plots/accuracy.png after every epoch, from the epoch records of metrics.jsonl (so a
 * resumed run plots its whole history). Each PNG is replaced atomically.
 */
final class LearningCurves implements TrainListener {
    private final RunDirectory run;

    LearningCurves(RunDirectory run) {
        this.run = run;
    }

    @Override
    public void onEpoch(Map<String, Object> record) {
        try {
            List<Map<String, Object>> epochs = run.epochRecords();
            write("loss.png", chart("Loss", "loss", epochs, new String[] {"train_loss", "validation_loss", "test_loss"},
                    new String[] {"train (mean over epoch)", "validation", "test"}));
            write("accuracy.png", chart("Accuracy", "accuracy", epochs,
                    new String[] {"train_accuracy", "validation_accuracy", "test_accuracy"},
                    new String[] {"train", "validation", "test"}));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plots in " + run.plotsDir() + ": " + e.getMessage(), e);
        }
    }

    private void write(String name, XYChart chart) throws IOException {
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(run.plotsDir().resolve(name), out -> out.write(png));
    }

    private static XYChart chart(String title, String yTitle, List<Map<String, Object>> epochs, String[] keys,
                                 String[] labels) {
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("epoch").yAxisTitle(yTitle)
                .build();
        for (int k = 0; k < keys.length; k++) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (Map<String, Object> e : epochs) {
                if (e.get(keys[k]) instanceof Number y && e.get("epoch") instanceof Number x) {
                    xs.add(x.doubleValue());
                    ys.add(y.doubleValue());
                }
            }
            if (!xs.isEmpty()) {
                chart.addSeries(labels[k], xs, ys).setMarker(SeriesMarkers.CIRCLE);
            }
        }
        return chart;
    }
}

package dptrain.experiments;

import dptrain.util.AtomicFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Chapter 6.3: a 5-hidden-layer, 100-unit ReLU network on 1 000 training images, with and without batch
 * normalization, for 16 initial weight scales from 1 to 10⁻⁴ (the book's grid of small training-accuracy plots).
 */
final class BatchNormStudy implements Study {
    private static final int SCALES = 16;

    @Override
    public String name() {
        return "batch-norm";
    }

    @Override
    public String description() {
        return "training accuracy with and without batch normalization over 16 initial weight scales (ch. 6.3)";
    }

    /** The book's np.logspace(0, -4, 16), printed to 4 significant digits. */
    static String[] scales() {
        String[] s = new String[SCALES];
        for (int i = 0; i < SCALES; i++) {
            s[i] = String.format(Locale.ROOT, "%.4g", Math.pow(10, -4.0 * i / (SCALES - 1)));
        }
        return s;
    }

    private static String plain(Training t, double acc) {
        return t.diverged() ? "diverged" : String.format(Locale.ROOT, "%.2f", acc);
    }

    @Override
    public List<Finding> run(Lab lab) throws Exception {
        String[] scales = scales();
        List<Lab.Variant> variants = new ArrayList<>();
        for (String w : scales) {
            variants.add(new Lab.Variant("W " + w + " batch norm", List.of("--init", "std:" + w, "--batch-norm")));
            variants.add(new Lab.Variant("W " + w, List.of("--init", "std:" + w)));
        }
        int epochs = lab.quick() ? 10 : 20;
        List<String> fixed = List.of("--model", "multi-layer", "--hidden", "100,100,100,100,100", "--activation",
                "relu", "--optimizer", "sgd", "--lr", "0.01", "--batch-size", "100", "--train-samples", "1250",
                "--eval-train-samples", "1000", "--log-every", "10");
        List<Training> ts = lab.train("mnist", fixed, variants, epochs, 0.2);
        StringBuilder csv = new StringBuilder("weight_scale,batch_norm,epoch,train_accuracy\n");
        List<XYChart> charts = new ArrayList<>();
        double[] with = new double[SCALES];
        double[] without = new double[SCALES];
        for (int i = 0; i < SCALES; i++) {
            Training bn = ts.get(2 * i);
            Training plain = ts.get(2 * i + 1);
            String diverged = (bn.diverged() ? " (batch norm diverged)" : "") + (plain.diverged() ? " (normal diverged)" : "");
            XYChart c = Figures.chart("W: " + scales[i] + diverged, "epoch", "train accuracy", 300, 230);
            c.getStyler().setYAxisMin(0.0);
            c.getStyler().setYAxisMax(1.0);
            c.getStyler().setXAxisMin(0.0);
            c.getStyler().setXAxisMax((double) epochs);
            c.getStyler().setChartTitleFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
            c.getStyler().setLegendVisible(false);
            for (Training t : List.of(bn, plain)) {
                boolean isBn = t == bn;
                double[][] acc = t.perEpoch("train_accuracy");
                double[] xs = new double[acc.length];
                double[] ys = new double[acc.length];
                for (int e = 0; e < acc.length; e++) {
                    xs[e] = acc[e][0];
                    ys[e] = acc[e][1];
                    csv.append(String.format(Locale.ROOT, "%s,%b,%.0f,%.4f%n", scales[i], isBn, acc[e][0], acc[e][1]));
                }
                if (acc.length > 0) {
                    var s = c.addSeries(isBn ? "batch norm" : "normal", xs, ys).setMarker(SeriesMarkers.NONE);
                    if (!isBn) {
                        s.setLineStyle(SeriesLines.DASH_DASH);
                    }
                }
            }
            // A diverged training has failed: it counts as chance (0.1) if it left no accuracy.
            // One legend, on the first small plot that has both lines.
            if (bn.perEpoch("train_accuracy").length > 0 && plain.perEpoch("train_accuracy").length > 0 && charts.stream().noneMatch(x -> x.getStyler().isLegendVisible())) {
                c.getStyler().setLegendVisible(true);
                c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
            }
            with[i] = bn.diverged() || Double.isNaN(bn.last("train_accuracy")) ? 0.1 : bn.last("train_accuracy");
            without[i] = plain.diverged() || Double.isNaN(plain.last("train_accuracy")) ? 0.1
                    : plain.last("train_accuracy");
            charts.add(c);
        }
        AtomicFiles.writeString(lab.dir().resolve("batch-norm.csv"), csv.toString());
        Figures.writeGrid(lab.plotsDir().resolve("batch-norm.png"), "Training accuracy with batch norm (solid blue) and "
                + "without (dashed orange) by initial weight std W, 1 000 images (ch. 6.3)", charts, 4);
        int failing = 0;
        int rescued = 0;
        int higher = 0;
        StringBuilder fails = new StringBuilder();
        for (int i = 0; i < SCALES; i++) {
            if (with[i] > without[i]) {
                higher++;
            }
            if (without[i] < 0.3) {
                failing++;
                fails.append(String.format(Locale.ROOT, " W %s: %s → %.2f;", scales[i], plain(ts.get(2 * i + 1),
                        without[i]), with[i]));
                if (with[i] >= without[i] + 0.1) {
                    rescued++;
                }
            }
        }
        List<Finding> out = new ArrayList<>();
        out.add(new Finding("with batch norm, training accuracy rises at every weight scale where it fails without "
                + "(final accuracy < 0.3, or diverged): by ≥ 0.1 with it", failing > 0 && rescued == failing,
                String.format(Locale.ROOT, "%d of %d scales fail without; batch norm lifts %d of them by ≥ 0.1:%s",
                        failing, SCALES, rescued, fails)));
        out.add(new Finding("batch norm learns faster: higher final training accuracy at most weight scales",
                higher >= 12, String.format(Locale.ROOT, "higher with batch norm at %d of %d scales", higher, SCALES)));
        return out;
    }
}

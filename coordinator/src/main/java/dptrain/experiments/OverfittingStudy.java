package dptrain.experiments;

import dptrain.util.AtomicFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Chapter 6.4: a 7-layer network (six hidden layers of 100) on only 300 training images overfits: training accuracy
 * reaches 1 while held-out accuracy stays far below; weight decay (λ = 0.1) and dropout (ratio 0.15) narrow the gap.
 * Held-out accuracy is measured on 2 700 images held out of the training set (the test set is not touched).
 */
final class OverfittingStudy implements Study {
    private static final String[] LABELS = {"no regularization", "weight decay 0.1", "dropout 0.15"};
    /** Epochs whose accuracies are averaged for the final figures (the curves are noisy at 300 images). */
    private static final int TAIL = 10;

    @Override
    public String name() {
        return "overfitting";
    }

    @Override
    public String description() {
        return "300 training images, 7 layers: train vs held-out accuracy without regularization, with weight decay "
                + "and with dropout (ch. 6.4)";
    }

    @Override
    public List<Finding> run(Lab lab) throws Exception {
        List<Lab.Variant> variants = List.of(
                new Lab.Variant(LABELS[0], List.of("--weight-decay", "0")),
                new Lab.Variant(LABELS[1], List.of("--weight-decay", "0.1")),
                new Lab.Variant(LABELS[2], List.of("--dropout", "0.15")));
        int epochs = lab.quick() ? 120 : 201;
        List<String> fixed = List.of("--model", "multi-layer", "--hidden", "100,100,100,100,100,100", "--activation",
                "relu", "--optimizer", "sgd", "--lr", "0.01", "--batch-size", "100", "--train-samples", "3000",
                "--eval-train-samples", "300", "--log-every", "3");
        List<Training> ts = lab.train("mnist", fixed, variants, epochs, 0.9);
        StringBuilder csv = new StringBuilder("variant,epoch,train_accuracy,heldout_accuracy\n");
        List<XYChart> charts = new ArrayList<>();
        double[] train = new double[LABELS.length];
        double[] held = new double[LABELS.length];
        for (int k = 0; k < LABELS.length; k++) {
            Training t = ts.get(k);
            double[][] tr = t.perEpoch("train_accuracy");
            double[][] va = t.perEpoch("validation_accuracy");
            for (int e = 0; e < Math.min(tr.length, va.length); e++) {
                csv.append(String.format(Locale.ROOT, "%s,%.0f,%.4f,%.4f%n", LABELS[k], tr[e][0], tr[e][1], va[e][1]));
            }
            train[k] = Training.tailMean(tr, TAIL);
            held[k] = Training.tailMean(va, TAIL);
            XYChart c = Figures.chart(LABELS[k], "epoch", "accuracy", 480, 360);
            c.getStyler().setYAxisMin(0.0);
            c.getStyler().setYAxisMax(1.0);
            c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
            c.addSeries("train (300 images)", column(tr, 0), column(tr, 1)).setMarker(SeriesMarkers.NONE);
            c.addSeries("held-out (2 700 images)", column(va, 0), column(va, 1)).setMarker(SeriesMarkers.NONE)
                    .setLineStyle(SeriesLines.DASH_DASH);
            charts.add(c);
        }
        AtomicFiles.writeString(lab.dir().resolve("overfitting.csv"), csv.toString());
        Figures.writeGrid(lab.plotsDir().resolve("overfitting.png"), "Overfitting: 7-layer net on 300 images, "
                + "train vs held-out accuracy (ch. 6.4)", charts, 3);
        double[] gap = new double[LABELS.length];
        for (int k = 0; k < gap.length; k++) {
            gap[k] = train[k] - held[k];
        }
        String m = String.format(Locale.ROOT, "mean of the last %d epochs, train / held-out / gap: none %.3f / %.3f / "
                        + "%.3f; weight decay %.3f / %.3f / %.3f; dropout %.3f / %.3f / %.3f", TAIL, train[0], held[0],
                gap[0], train[1], held[1], gap[1], train[2], held[2], gap[2]);
        List<Finding> out = new ArrayList<>();
        out.add(new Finding("without regularization the network fits its 300 images almost perfectly (train ≥ 0.95) "
                + "while held-out accuracy stays far lower (gap ≥ 0.15)", train[0] >= 0.95 && gap[0] >= 0.15
                && ts.get(0).completed(), m));
        out.add(new Finding("weight decay (λ = 0.1) narrows the gap between train and held-out accuracy",
                gap[1] < gap[0] && ts.get(0).completed() && ts.get(1).completed(), m));
        out.add(new Finding("dropout (ratio 0.15) narrows the gap between train and held-out accuracy",
                gap[2] < gap[0] && ts.get(0).completed() && ts.get(2).completed(), m));
        return out;
    }

    private static double[] column(double[][] s, int c) {
        double[] out = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = s[i][c];
        }
        return out;
    }
}

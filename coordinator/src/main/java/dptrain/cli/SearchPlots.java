package dptrain.cli;

import dptrain.util.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The PNG plots of a hyperparameter search: validation accuracy over learning rate × weight decay (the book's ch. 6
 * figure), the best score so far by trial and by wall-clock time, parallel coordinates of every parameter, and, for
 * ASHA, each trial's accuracy per epoch. A plot whose data is absent is skipped, never an error; each PNG is replaced
 * atomically.
 */
final class SearchPlots {
    private static final int WIDTH = 800;
    private static final int HEIGHT = 600;
    /** Where a diverged trial's line ends on the parallel-coordinates accuracy axis, below the worst score. */
    private static final double DIVERGED_Y = -0.17;

    private SearchPlots() {}

    /** One search axis: a numeric parameter (log-scaled or not, with its range) or a choice (its values in order). */
    record Axis(String name, boolean log, double lo, double hi, List<String> choices) {
        boolean isChoice() {
            return choices != null;
        }
    }

    /**
     * One trial: its index, parameter values (numbers or choice strings), its score (mean validation accuracy, NaN when
     * it has none), status, validation accuracy after each epoch it ran, and the search's wall-clock seconds at which
     * it finished (NaN if not finished).
     */
    record Trial(int index, Map<String, Object> params, double score, String status, double[] epochs,
                 double[] accuracies, double endSeconds) {}

    /** Writes every plot that the data allows into dir (created if needed); returns the files written. */
    static List<Path> write(Path dir, List<Axis> axes, List<Trial> trials, boolean asha) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        Ranking ranking = Ranking.of(trials);
        if (ranking == null) {
            return written; // no trial has a score yet: nothing worth drawing
        }
        save(dir, "accuracy-lr-weight-decay.png", accuracyOverLrAndWeightDecay(axes, trials, ranking), written);
        save(dir, "best-so-far-trials.png", bestSoFarByTrial(trials), written);
        save(dir, "best-so-far-time.png", bestSoFarByTime(trials), written);
        save(dir, "parallel-coordinates.png", parallelCoordinates(axes, trials, ranking), written);
        if (asha) {
            save(dir, "asha-rungs.png", ashaRungs(trials, ranking), written);
        }
        return written;
    }

    private static void save(Path dir, String name, XYChart chart, List<Path> written) throws IOException {
        if (chart == null) {
            return;
        }
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        Path file = dir.resolve(name);
        AtomicFiles.write(file, out -> out.write(png));
        written.add(file);
    }

    // ---- 1. accuracy over lr × weight decay ----

    private static XYChart accuracyOverLrAndWeightDecay(List<Axis> axes, List<Trial> trials, Ranking ranking) {
        List<Axis> numeric = axes.stream().filter(a -> !a.isChoice()).toList();
        if (numeric.size() < 2) {
            return null;
        }
        Axis x = numeric.stream().filter(a -> a.name().equals("lr")).findFirst()
                .orElse(numeric.stream().filter(a -> !a.name().equals("weight-decay")).findFirst().orElseThrow());
        Axis y = numeric.stream().filter(a -> a != x && a.name().equals("weight-decay")).findFirst()
                .orElse(numeric.stream().filter(a -> a != x).findFirst().orElseThrow());

        List<List<double[]>> byBucket = new ArrayList<>();
        for (int b = 0; b < Bucket.values().length; b++) {
            byBucket.add(new ArrayList<>());
        }
        boolean anyScored = false;
        for (Trial t : sortedForDrawing(trials, ranking)) {
            Bucket b = ranking.bucket(t);
            double vx = number(t, x.name());
            double vy = number(t, y.name());
            if (b == Bucket.UNSCORED || !plottable(vx, x.log()) || !plottable(vy, y.log())) {
                continue;
            }
            byBucket.get(b.ordinal()).add(new double[] {vx, vy});
            anyScored |= b != Bucket.DIVERGED;
        }
        if (!anyScored) {
            return null;
        }

        XYChart chart = chart("Validation accuracy over " + x.name() + " × " + y.name(), axisTitle(x), axisTitle(y));
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Scatter).setMarkerSize(10);
        chart.getStyler().setXAxisLogarithmic(x.log()).setYAxisLogarithmic(y.log());
        fitRange(chart, x, byBucket, 0);
        fitRange(chart, y, byBucket, 1);
        // The legend lists the best bucket first, but the best points are drawn last so that they stay on top: each
        // legend entry is a copy of one point of its bucket, drawn first and hidden under the real series.
        for (Bucket b : Bucket.bestFirst()) {
            List<double[]> pts = byBucket.get(b.ordinal());
            if (!pts.isEmpty()) {
                XYSeries s = chart.addSeries(ranking.label(b), new double[] {pts.get(0)[0]},
                        new double[] {pts.get(0)[1]});
                s.setMarker(b.marker).setMarkerColor(b.color);
            }
        }
        for (Bucket b : Bucket.values()) {
            List<double[]> pts = byBucket.get(b.ordinal());
            if (!pts.isEmpty()) {
                XYSeries s = chart.addSeries("points " + b, pts.stream().mapToDouble(p -> p[0]).toArray(),
                        pts.stream().mapToDouble(p -> p[1]).toArray());
                s.setMarker(b.marker).setMarkerColor(b.color).setShowInLegend(false);
            }
        }
        return chart;
    }

    /** Widens the chart's range on one coordinate to the axis's search range, with a little room for the markers. */
    private static void fitRange(XYChart chart, Axis axis, List<List<double[]>> points, int coordinate) {
        double lo = axis.lo();
        double hi = axis.hi();
        for (List<double[]> bucket : points) {
            for (double[] p : bucket) {
                lo = Math.min(lo, p[coordinate]);
                hi = Math.max(hi, p[coordinate]);
            }
        }
        if (!(lo < hi) || (axis.log() && !(lo > 0))) {
            return; // leave XChart's own range
        }
        double min;
        double max;
        if (axis.log()) {
            double pad = Math.pow(hi / lo, 0.03);
            min = lo / pad;
            max = hi * pad;
        } else {
            double pad = (hi - lo) * 0.03;
            min = lo - pad;
            max = hi + pad;
        }
        if (coordinate == 0) {
            chart.getStyler().setXAxisMin(min).setXAxisMax(max);
        } else {
            chart.getStyler().setYAxisMin(min).setYAxisMax(max);
        }
    }

    private static String axisTitle(Axis a) {
        return a.log() ? a.name() + " (log scale)" : a.name();
    }

    // ---- 2. and 3. best score so far ----

    private static XYChart bestSoFarByTrial(List<Trial> trials) {
        List<Trial> scored = trials.stream().filter(SearchPlots::scored)
                .sorted(Comparator.comparingInt(Trial::index)).toList();
        return bestSoFar("Best validation accuracy so far, by trial", "trial index", scored,
                scored.stream().mapToDouble(Trial::index).toArray(), diverged(trials));
    }

    private static XYChart bestSoFarByTime(List<Trial> trials) {
        List<Trial> scored = trials.stream().filter(t -> scored(t) && Double.isFinite(t.endSeconds()))
                .sorted(Comparator.comparingDouble(Trial::endSeconds)).toList();
        return bestSoFar("Best validation accuracy so far, by wall-clock time", "wall-clock time of the search (s)",
                scored, scored.stream().mapToDouble(Trial::endSeconds).toArray(), diverged(trials));
    }

    private static XYChart bestSoFar(String title, String xTitle, List<Trial> scored, double[] xs, long diverged) {
        if (scored.isEmpty()) {
            return null;
        }
        double[] best = new double[xs.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < xs.length; i++) {
            max = Math.max(max, scored.get(i).score());
            best[i] = max;
        }
        String counts = " (" + scored.size() + " scored" + (diverged > 0 ? ", " + diverged + " diverged or failed" : "")
                + ")";
        XYChart chart = chart(title + counts, xTitle, "validation accuracy");
        chart.getStyler().setMarkerSize(8);
        XYSeries line = chart.addSeries("best so far", xs, best);
        line.setXYSeriesRenderStyle(XYSeriesRenderStyle.Step);
        line.setMarker(SeriesMarkers.NONE).setLineColor(Bucket.TOP.color).setLineWidth(2.5f);
        addPoints(chart, "trial's score", scored, xs, t -> !"stopped".equals(t.status()), Bucket.FAIR.color);
        addPoints(chart, "trial's score (stopped early by ASHA)", scored, xs, t -> "stopped".equals(t.status()),
                Bucket.POOR.color);
        return chart;
    }

    private static void addPoints(XYChart chart, String name, List<Trial> trials, double[] xs,
                                  java.util.function.Predicate<Trial> which, Color color) {
        List<Double> px = new ArrayList<>();
        List<Double> py = new ArrayList<>();
        for (int i = 0; i < trials.size(); i++) {
            if (which.test(trials.get(i))) {
                px.add(xs[i]);
                py.add(trials.get(i).score());
            }
        }
        if (!px.isEmpty()) {
            XYSeries s = chart.addSeries(name, px, py);
            s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CIRCLE).setMarkerColor(color);
        }
    }

    // ---- 4. parallel coordinates ----

    private static XYChart parallelCoordinates(List<Axis> axes, List<Trial> trials, Ranking ranking) {
        if (axes.isEmpty()) {
            return null;
        }
        int k = axes.size();
        double[] xs = new double[k + 1];
        for (int i = 0; i <= k; i++) {
            xs[i] = i;
        }
        List<Trial> drawn = new ArrayList<>();
        List<double[]> lines = new ArrayList<>();
        double worst = Double.POSITIVE_INFINITY;
        for (Trial t : trials) {
            if (scored(t)) {
                worst = Math.min(worst, t.score());
            }
        }
        for (Trial t : sortedForDrawing(trials, ranking)) {
            Bucket b = ranking.bucket(t);
            if (b == Bucket.UNSCORED) {
                continue;
            }
            double[] ys = new double[k + 1];
            boolean complete = true;
            for (int i = 0; i < k && complete; i++) {
                ys[i] = position(axes.get(i), t);
                complete = Double.isFinite(ys[i]);
            }
            if (!complete) {
                continue;
            }
            ys[k] = b == Bucket.DIVERGED ? DIVERGED_Y
                    : ranking.best() > worst ? (t.score() - worst) / (ranking.best() - worst) : 1;
            drawn.add(t);
            lines.add(ys);
        }
        if (drawn.stream().noneMatch(SearchPlots::scored)) {
            return null;
        }
        boolean anyDiverged = drawn.stream().anyMatch(t -> ranking.bucket(t) == Bucket.DIVERGED);

        XYChart chart = chart("Parallel coordinates of " + drawn.size() + " trials, coloured by validation accuracy",
                "search parameter", "each axis spans its search range (log where log-scaled)");
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Line);
        chart.getStyler().setXAxisMin(-0.4).setXAxisMax(k + 0.4);
        chart.getStyler().setYAxisMin(anyDiverged ? DIVERGED_Y - 0.08 : -0.12).setYAxisMax(1.12);
        chart.getStyler().setYAxisTicksVisible(false).setPlotGridLinesVisible(false);
        chart.getStyler().setAnnotationLineColor(Color.DARK_GRAY).setAnnotationLineStroke(new BasicStroke(1f));
        chart.getStyler().setAnnotationTextFontColor(Color.BLACK);
        chart.getStyler().setXAxisTickLabelsFormattingFunction(v -> {
            long i = Math.round(v);
            if (Math.abs(v - i) > 1e-6 || i < 0 || i > k) {
                return "";
            }
            return i == k ? "validation accuracy" : axes.get((int) i).name() + (axes.get((int) i).log() ? " (log)" : "");
        });

        legendLines(chart, ranking, drawn.stream().map(ranking::bucket).collect(java.util.stream.Collectors.toSet()),
                0, 0.5);
        for (int j = 0; j < drawn.size(); j++) {
            Bucket b = ranking.bucket(drawn.get(j));
            XYSeries s = chart.addSeries("trial " + drawn.get(j).index() + " #" + j, xs, lines.get(j));
            s.setMarker(SeriesMarkers.NONE).setLineColor(b.lineColor()).setLineWidth(b == Bucket.TOP ? 3f : 1.2f);
            s.setShowInLegend(false);
        }
        for (int i = 0; i <= k; i++) {
            chart.addAnnotation(new AnnotationLine(i, true, false));
        }
        for (int i = 0; i < k; i++) {
            Axis a = axes.get(i);
            if (a.isChoice()) {
                for (int c = 0; c < a.choices().size(); c++) {
                    chart.addAnnotation(new AnnotationText(a.choices().get(c), i + 0.1,
                            choicePosition(c, a.choices().size()), false));
                }
            } else {
                chart.addAnnotation(new AnnotationText(fmt(a.lo()), i, -0.06, false));
                chart.addAnnotation(new AnnotationText(fmt(a.hi()), i, 1.06, false));
            }
        }
        chart.addAnnotation(new AnnotationText(fmt(worst), k, -0.06, false));
        chart.addAnnotation(new AnnotationText(fmt(ranking.best()), k, 1.06, false));
        if (anyDiverged) {
            chart.addAnnotation(new AnnotationText("diverged", k - 0.15, DIVERGED_Y, false));
        }
        return chart;
    }

    /** Where a trial's value sits on a parallel-coordinates axis, in [0, 1] when in range; NaN when it has none. */
    private static double position(Axis a, Trial t) {
        if (a.isChoice()) {
            Object v = t.params() == null ? null : t.params().get(a.name());
            if (v == null) {
                return Double.NaN;
            }
            int c = a.choices().indexOf(String.valueOf(v));
            if (c < 0 && v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
                c = a.choices().indexOf(String.valueOf(n.longValue())); // 64.0 for the choice "64"
            }
            return c < 0 ? Double.NaN : choicePosition(c, a.choices().size());
        }
        double v = number(t, a.name());
        if (a.log()) {
            return v > 0 && a.lo() > 0 && a.hi() > a.lo()
                    ? (Math.log(v) - Math.log(a.lo())) / (Math.log(a.hi()) - Math.log(a.lo())) : Double.NaN;
        }
        return a.hi() > a.lo() ? (v - a.lo()) / (a.hi() - a.lo()) : Double.NaN;
    }

    private static double choicePosition(int c, int count) {
        return count == 1 ? 0.5 : c / (count - 1.0);
    }

    // ---- 5. ASHA: accuracy per epoch ----

    private static XYChart ashaRungs(List<Trial> trials, Ranking ranking) {
        List<Trial> drawn = new ArrayList<>();
        List<double[][]> curves = new ArrayList<>();
        double minEpoch = Double.POSITIVE_INFINITY;
        double maxEpoch = Double.NEGATIVE_INFINITY;
        for (Trial t : sortedForDrawing(trials, ranking)) {
            double[][] c = curve(t);
            if (c != null) {
                drawn.add(t);
                curves.add(c);
                for (double e : c[0]) {
                    minEpoch = Math.min(minEpoch, e);
                    maxEpoch = Math.max(maxEpoch, e);
                }
            }
        }
        if (drawn.isEmpty()) {
            return null;
        }
        // ASHA's rungs grow geometrically (1, 3, 9, ... epochs): a log axis spaces them evenly once they span enough.
        boolean log = minEpoch > 0 && maxEpoch / minEpoch >= 8;
        Set<Double> rungs = new TreeSet<>();
        for (int j = 0; j < drawn.size(); j++) {
            if ("stopped".equals(drawn.get(j).status())) {
                double[] e = curves.get(j)[0];
                rungs.add(e[e.length - 1]);
            }
        }
        long stopped = drawn.stream().filter(t -> "stopped".equals(t.status())).count();
        XYChart chart = chart("ASHA rungs: " + drawn.size() + " trials, " + stopped + " stopped early (dashed: rungs)",
                log ? "epoch (log scale)" : "epoch",
                "validation accuracy");
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Line).setMarkerSize(5);
        chart.getStyler().setXAxisLogarithmic(log);
        chart.getStyler().setAnnotationLineColor(Color.GRAY).setAnnotationLineStroke(new BasicStroke(1f,
                BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        legendLines(chart, ranking, drawn.stream().map(ranking::bucket).collect(java.util.stream.Collectors.toSet()),
                curves.get(0)[0][0], curves.get(0)[1][0]);
        for (int j = 0; j < drawn.size(); j++) {
            Bucket b = ranking.bucket(drawn.get(j));
            XYSeries s = chart.addSeries("trial " + drawn.get(j).index() + " #" + j, curves.get(j)[0],
                    curves.get(j)[1]);
            s.setMarker(SeriesMarkers.CIRCLE).setMarkerColor(b.lineColor()).setLineColor(b.lineColor())
                    .setLineWidth(b == Bucket.TOP ? 3f : 1.2f);
            s.setShowInLegend(false);
        }
        if (rungs.size() <= 12) {
            for (double r : rungs) {
                chart.addAnnotation(new AnnotationLine(r, true, false));
            }
        }
        return chart;
    }

    /** A trial's (epochs, accuracies) with its unplottable points dropped, or null when none is left. */
    private static double[][] curve(Trial t) {
        if (t.epochs() == null || t.accuracies() == null) {
            return null;
        }
        int n = Math.min(t.epochs().length, t.accuracies().length);
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (Double.isFinite(t.epochs()[i]) && Double.isFinite(t.accuracies()[i])) {
                pts.add(new double[] {t.epochs()[i], t.accuracies()[i]});
            }
        }
        if (pts.isEmpty()) {
            return null;
        }
        pts.sort(Comparator.comparingDouble(p -> p[0]));
        return new double[][] {pts.stream().mapToDouble(p -> p[0]).toArray(),
                pts.stream().mapToDouble(p -> p[1]).toArray()};
    }

    // ---- shared ----

    private static XYChart chart(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(LegendPosition.OutsideE);
        return chart;
    }

    /**
     * Adds one legend entry per bucket present, best first: a one-point line with no marker, which draws nothing but
     * its legend swatch. Added before the trials' own series, which are hidden from the legend.
     */
    private static void legendLines(XYChart chart, Ranking ranking, Set<Bucket> present, double x, double y) {
        for (Bucket b : Bucket.bestFirst()) {
            if (present.contains(b)) {
                XYSeries s = chart.addSeries(ranking.label(b), new double[] {x}, new double[] {y});
                s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
                s.setMarker(SeriesMarkers.NONE).setLineColor(b.color).setLineWidth(b == Bucket.TOP ? 3f : 2f);
            }
        }
    }

    /** The trials in drawing order: worst bucket first, and within a bucket by score, so the best end on top. */
    private static List<Trial> sortedForDrawing(List<Trial> trials, Ranking ranking) {
        return trials.stream().sorted(Comparator.comparing((Trial t) -> ranking.bucket(t))
                .thenComparingDouble(t -> scored(t) ? t.score() : 0).thenComparingInt(Trial::index)).toList();
    }

    private static boolean scored(Trial t) {
        return Double.isFinite(t.score());
    }

    private static boolean divergedOrFailed(Trial t) {
        return !scored(t) && ("diverged".equals(t.status()) || "failed".equals(t.status()));
    }

    private static long diverged(List<Trial> trials) {
        return trials.stream().filter(SearchPlots::divergedOrFailed).count();
    }

    /** A parameter's value as a number, or NaN when it is missing or not a number. */
    private static double number(Trial t, String name) {
        Object v = t.params() == null ? null : t.params().get(name);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    private static boolean plottable(double v, boolean log) {
        return Double.isFinite(v) && (!log || v > 0);
    }

    /** Three significant digits, in e-notation when very small or large: 0.001, 0.931, 64, 3.16e-5. */
    static String fmt(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        double a = Math.abs(v);
        if (a == 0 || (a >= 1e-3 && a < 1e5)) {
            return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
        }
        int e = (int) Math.floor(Math.log10(a));
        double m = v / Math.pow(10, e);
        if (Math.abs(m) >= 9.995) { // rounding carried into the next decade
            m /= 10;
            e++;
        }
        return new BigDecimal(m).round(new MathContext(3)).stripTrailingZeros().toPlainString() + "e" + e;
    }

    /** How good a trial is relative to the best score. The plots colour by it and draw the better buckets later. */
    private enum Bucket {
        UNSCORED(new Color(0xbdbdbd), SeriesMarkers.CIRCLE),
        DIVERGED(new Color(0x212121), SeriesMarkers.CROSS),
        POOR(new Color(0x9e9e9e), SeriesMarkers.CIRCLE),
        FAIR(new Color(0x1f77b4), SeriesMarkers.CIRCLE),
        GOOD(new Color(0x2ca02c), SeriesMarkers.CIRCLE),
        HIGH(new Color(0xff7f0e), SeriesMarkers.CIRCLE),
        TOP(new Color(0xd62728), SeriesMarkers.DIAMOND);

        final Color color;
        final Marker marker;

        Bucket(Color color, Marker marker) {
            this.color = color;
            this.marker = marker;
        }

        /** The colour of one trial's line among many: the top trials opaque, the rest a little transparent. */
        Color lineColor() {
            return this == TOP ? color : new Color(color.getRed(), color.getGreen(), color.getBlue(), 170);
        }

        static List<Bucket> bestFirst() {
            List<Bucket> l = new ArrayList<>(List.of(values()));
            java.util.Collections.reverse(l);
            return l;
        }
    }

    /** The best score and the top trials, which decide each trial's bucket. */
    private record Ranking(double best, Set<Integer> top) {
        private static final int TOP_COUNT = 5;

        /** Ranks the scored trials; null when none has a score. */
        static Ranking of(List<Trial> trials) {
            List<Trial> scored = trials.stream().filter(SearchPlots::scored)
                    .sorted(Comparator.comparingDouble(Trial::score).reversed().thenComparingInt(Trial::index))
                    .toList();
            if (scored.isEmpty()) {
                return null;
            }
            Set<Integer> top = new HashSet<>();
            scored.stream().limit(TOP_COUNT).forEach(t -> top.add(t.index()));
            return new Ranking(scored.get(0).score(), top);
        }

        Bucket bucket(Trial t) {
            if (!scored(t)) {
                return divergedOrFailed(t) ? Bucket.DIVERGED : Bucket.UNSCORED;
            }
            if (top.contains(t.index())) {
                return Bucket.TOP;
            }
            double s = t.score();
            return s >= 0.95 * best ? Bucket.HIGH : s >= 0.8 * best ? Bucket.GOOD : s >= 0.5 * best ? Bucket.FAIR
                    : Bucket.POOR;
        }

        String label(Bucket b) {
            return switch (b) {
                case TOP -> "top " + top.size() + " (best " + fmt(best) + ")";
                case HIGH -> "≥ " + fmt(0.95 * best) + " (95 % of best)";
                case GOOD -> fmt(0.8 * best) + " – " + fmt(0.95 * best);
                case FAIR -> fmt(0.5 * best) + " – " + fmt(0.8 * best);
                case POOR -> "< " + fmt(0.5 * best);
                case DIVERGED -> "diverged or failed";
                case UNSCORED -> "no score yet";
            };
        }
    }
}

package dptrain.experiments;

import dptrain.nn.Perceptron;
import dptrain.util.AtomicFiles;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntBinaryOperator;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Chapter 2: AND, NAND and OR as single perceptrons with the book's weights, XOR as two layers (NAND and OR into
 * AND), each with its decision region; and a search of a grid of weights showing that no single perceptron
 * computes XOR, while many compute each of the others.
 */
final class PerceptronStudy implements Study {
    private static final int[][] INPUTS = {{0, 0}, {1, 0}, {0, 1}, {1, 1}};

    @Override
    public String name() {
        return "perceptron";
    }

    @Override
    public String description() {
        return "AND, NAND, OR as single perceptrons, XOR as two layers, with their decision regions (ch. 2)";
    }

    private record Gate(String name, IntBinaryOperator f, int[] truth, double[] wb) {}

    @Override
    public List<Finding> run(Lab lab) throws Exception {
        List<Gate> gates = List.of(
                new Gate("AND", Perceptron::and, new int[] {0, 0, 0, 1}, new double[] {0.5, 0.5, -0.7}),
                new Gate("NAND", Perceptron::nand, new int[] {1, 1, 1, 0}, new double[] {-0.5, -0.5, 0.7}),
                new Gate("OR", Perceptron::or, new int[] {0, 1, 1, 1}, new double[] {0.5, 0.5, -0.2}),
                new Gate("XOR (two layers)", Perceptron::xor, new int[] {0, 1, 1, 0}, null));
        List<Finding> out = new ArrayList<>();
        StringBuilder csv = new StringBuilder("x1,x2,and,nand,or,xor\n");
        for (int[] x : INPUTS) {
            csv.append(x[0]).append(',').append(x[1]);
            for (Gate g : gates) {
                csv.append(',').append(g.f().applyAsInt(x[0], x[1]));
            }
            csv.append('\n');
        }
        for (Gate g : gates) {
            StringBuilder got = new StringBuilder();
            boolean ok = true;
            for (int i = 0; i < 4; i++) {
                int y = g.f().applyAsInt(INPUTS[i][0], INPUTS[i][1]);
                got.append(y);
                ok &= y == g.truth()[i];
            }
            out.add(new Finding(g.name() + " gives its truth table on (0,0), (1,0), (0,1), (1,1)", ok,
                    "outputs " + got));
        }
        // Every single perceptron with w1, w2, b in {-1.0, -0.9, ..., 1.0}: how many compute each truth table.
        int[] matches = new int[gates.size()];
        for (int i = -10; i <= 10; i++) {
            for (int j = -10; j <= 10; j++) {
                for (int k = -10; k <= 10; k++) {
                    for (int g = 0; g < gates.size(); g++) {
                        boolean all = true;
                        for (int n = 0; n < 4 && all; n++) {
                            all = Perceptron.perceptron(i / 10.0, j / 10.0, k / 10.0, INPUTS[n][0], INPUTS[n][1])
                                    == gates.get(g).truth()[n];
                        }
                        matches[g] += all ? 1 : 0;
                    }
                }
            }
        }
        csv.append("\nsingle perceptrons on the grid w1,w2,b in -1.0..1.0 step 0.1 (9261) computing the gate\n");
        csv.append("and,nand,or,xor\n").append(matches[0]).append(',').append(matches[1]).append(',')
                .append(matches[2]).append(',').append(matches[3]).append('\n');
        AtomicFiles.writeString(lab.dir().resolve("perceptron.csv"), csv.toString());
        out.add(new Finding("no single perceptron computes XOR (its classes are not linearly separable), while many "
                + "compute AND, NAND and OR", matches[3] == 0 && matches[0] > 0 && matches[1] > 0 && matches[2] > 0,
                String.format(Locale.ROOT, "of 9261 weight settings on a grid: AND %d, NAND %d, OR %d, XOR %d",
                        matches[0], matches[1], matches[2], matches[3])));

        List<XYChart> charts = new ArrayList<>();
        for (Gate g : gates) {
            charts.add(region(g));
        }
        Figures.writeGrid(lab.plotsDir().resolve("perceptron-regions.png"),
                "Perceptron decision regions: output 1 shaded (ch. 2)", charts, 2);
        return out;
    }

    private static XYChart region(Gate g) {
        XYChart c = Figures.chart(g.name(), "x1", "x2", 480, 440);
        c.getStyler().setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(7);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        c.getStyler().setXAxisMin(-0.5);
        c.getStyler().setXAxisMax(1.5);
        c.getStyler().setYAxisMin(-0.5);
        c.getStyler().setYAxisMax(1.5);
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        // The region is where the gate, extended to real inputs, outputs 1: a dense lattice of points.
        for (int i = 0; i <= 40; i++) {
            for (int j = 0; j <= 40; j++) {
                double x1 = -0.5 + i * 0.05;
                double x2 = -0.5 + j * 0.05;
                if (output(g, x1, x2) == 1) {
                    xs.add(x1);
                    ys.add(x2);
                }
            }
        }
        if (!xs.isEmpty()) {
            c.addSeries("output 1", xs, ys).setMarker(SeriesMarkers.SQUARE).setMarkerColor(new Color(180, 200, 240));
        }
        List<Double> ox = new ArrayList<>();
        List<Double> oy = new ArrayList<>();
        List<Double> zx = new ArrayList<>();
        List<Double> zy = new ArrayList<>();
        for (int n = 0; n < 4; n++) {
            (g.truth()[n] == 1 ? ox : zx).add((double) INPUTS[n][0]);
            (g.truth()[n] == 1 ? oy : zy).add((double) INPUTS[n][1]);
        }
        if (!ox.isEmpty()) {
            c.addSeries("inputs giving 1", ox, oy).setMarker(SeriesMarkers.CIRCLE).setMarkerColor(Color.BLUE);
        }
        if (!zx.isEmpty()) {
            c.addSeries("inputs giving 0", zx, zy).setMarker(SeriesMarkers.DIAMOND).setMarkerColor(Color.RED);
        }
        if (g.wb() != null) { // the boundary w1·x1 + w2·x2 + b = 0
            double[] w = g.wb();
            double[] bx = {-0.5, 1.5};
            double[] by = {(-w[2] - w[0] * bx[0]) / w[1], (-w[2] - w[0] * bx[1]) / w[1]};
            c.addSeries("w1·x1 + w2·x2 + b = 0", bx, by).setXYSeriesRenderStyle(XYSeriesRenderStyle.Line)
                    .setMarker(SeriesMarkers.NONE).setLineColor(Color.BLACK);
        }
        return c;
    }

    /** The gate's output for real-valued inputs (the layers of XOR take the first layer's 0/1 outputs). */
    private static int output(Gate g, double x1, double x2) {
        if (g.wb() != null) {
            double[] w = g.wb();
            return Perceptron.step(w[0] * x1 + w[1] * x2 + w[2]);
        }
        int s1 = Perceptron.step(-0.5 * x1 - 0.5 * x2 + 0.7); // NAND
        int s2 = Perceptron.step(0.5 * x1 + 0.5 * x2 - 0.2); // OR
        return Perceptron.and(s1, s2);
    }
}

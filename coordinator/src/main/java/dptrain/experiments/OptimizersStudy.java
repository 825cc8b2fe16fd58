package dptrain.experiments;

import dptrain.nn.optim.Optimizer;
import dptrain.nn.optim.Optimizers;
import dptrain.util.AtomicFiles;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Chapter 6.1: the path each optimizer takes on f(x, y) = x²/20 + y² from (−7, 2) (the book's contour figure), and
 * their training-loss curves on MNIST with a 5-layer, 100-unit ReLU network.
 */
final class OptimizersStudy implements Study {
    /** The optimizers and the learning rates of the book's path figure (RMSProp's and Adadelta's chosen alike). */
    private static final String[] NAMES = {"sgd", "momentum", "adagrad", "rmsprop", "adam", "adadelta"};
    private static final float[] PATH_LR = {0.95f, 0.1f, 1.5f, 0.15f, 0.3f, 1f};
    /** MNIST learning rates: the book's (SGD, Momentum, AdaGrad 0.01; Adam 0.001), RMSProp 0.001, Adadelta 1. */
    private static final String[] MNIST_LR = {"0.01", "0.01", "0.01", "0.001", "0.001", "1"};
    private static final int PATH_STEPS = 30;

    @Override
    public String name() {
        return "optimizers";
    }

    @Override
    public String description() {
        return "SGD, Momentum, AdaGrad, RMSProp, Adam, Adadelta: paths on x²/20 + y² and MNIST loss curves (ch. 6.1)";
    }

    @Override
    public List<Finding> run(Lab lab) throws Exception {
        List<Finding> out = new ArrayList<>();
        // 1. The paths on f(x, y) = x²/20 + y².
        double[][][] paths = new double[NAMES.length][][];
        StringBuilder csv = new StringBuilder("optimizer,step,x,y\n");
        List<XYChart> charts = new ArrayList<>();
        for (int k = 0; k < NAMES.length; k++) {
            paths[k] = path(NAMES[k], PATH_LR[k]);
            for (int i = 0; i < paths[k].length; i++) {
                csv.append(String.format(Locale.ROOT, "%s,%d,%.6g,%.6g%n", NAMES[k], i, paths[k][i][0], paths[k][i][1]));
            }
            charts.add(pathChart(NAMES[k], PATH_LR[k], paths[k]));
        }
        AtomicFiles.writeString(lab.dir().resolve("optimizer-paths.csv"), csv.toString());
        Figures.writeGrid(lab.plotsDir().resolve("optimizer-paths.png"), "Paths on f(x, y) = x²/20 + y² from (−7, 2), "
                + PATH_STEPS + " steps (ch. 6.1)", charts, 3);
        int sgdFlips = signFlips(paths[0]);
        int momFlips = signFlips(paths[1]);
        int adaFlips = signFlips(paths[2]);
        out.add(new Finding("SGD zigzags across the steep y direction while creeping along x; Momentum, whose velocity "
                + "in y cancels out, zigzags far less (like a ball rolling in a bowl); AdaGrad's step in y shrinks "
                + "and it hardly zigzags at all", sgdFlips >= PATH_STEPS / 2 && 3 * momFlips <= sgdFlips
                && adaFlips <= PATH_STEPS / 6, String.format(Locale.ROOT, "sign changes of y in %d steps: SGD %d, "
                + "Momentum %d, AdaGrad %d", PATH_STEPS, sgdFlips, momFlips, adaFlips)));

        // 2. MNIST loss curves, each optimizer a training of its own on the cluster.
        List<Lab.Variant> variants = new ArrayList<>();
        for (int k = 0; k < NAMES.length; k++) {
            variants.add(new Lab.Variant(NAMES[k], List.of("--optimizer", NAMES[k], "--lr", MNIST_LR[k])));
        }
        // The book: 2 000 iterations of batch 128 over the 60 000 images; quick: 300 over 12 800.
        int trainSamples = lab.quick() ? 13_474 : 0;
        int epochs = lab.quick() ? 3 : 5;
        double vf = 0.05;
        List<String> fixed = List.of("--model", "multi-layer", "--hidden", "100,100,100,100", "--activation", "relu",
                "--init", "he", "--batch-size", "128", "--train-samples", Integer.toString(trainSamples),
                "--log-every", "10", "--eval-train-samples", "1000");
        List<Training> ts = lab.train("mnist", fixed, variants, epochs, vf);
        XYChart loss = Figures.chart("MNIST training loss, 5-layer 100-unit ReLU net, batch 128", "iteration",
                "training loss (mean of 5 logged steps)", 900, 560);
        StringBuilder lc = new StringBuilder("optimizer,iteration,loss\n");
        double[] finals = new double[NAMES.length];
        long iterations = 0;
        for (int k = 0; k < ts.size(); k++) {
            double[][] l = ts.get(k).stepLosses();
            for (double[] p : l) {
                lc.append(String.format(Locale.ROOT, "%s,%d,%.6g%n", NAMES[k], (long) p[0], p[1]));
                iterations = Math.max(iterations, (long) p[0]);
            }
            double[][] sm = smooth(l, 5);
            if (sm[0].length > 0) {
                loss.addSeries(label(NAMES[k], MNIST_LR[k]), sm[0], sm[1]).setMarker(SeriesMarkers.NONE);
            }
            finals[k] = ts.get(k).finalLoss(10);
        }
        loss.getStyler().setYAxisMax(2.5);
        loss.getStyler().setYAxisMin(0.0);
        AtomicFiles.writeString(lab.dir().resolve("optimizer-mnist-loss.csv"), lc.toString());
        Figures.write(lab.plotsDir().resolve("optimizer-mnist-loss.png"), loss);
        StringBuilder m = new StringBuilder("mean loss of the last 10 logged steps:");
        for (int k = 0; k < NAMES.length; k++) {
            m.append(String.format(Locale.ROOT, " %s %.3f", NAMES[k], finals[k]));
        }
        out.add(new Finding("Adam and AdaGrad reach a lower training loss than SGD within " + iterations
                + " iterations", finals[4] < finals[0] && finals[2] < finals[0]
                && ts.stream().allMatch(Training::completed), m.toString()));
        return out;
    }

    private static String label(String name, String lr) {
        return name + " (lr " + lr + ")";
    }

    /** The optimizer's points from (−7, 2): PATH_STEPS + 1 of them. */
    static double[][] path(String name, float lr) {
        Optimizer opt = Optimizers.create(name);
        float[] p = {-7f, 2f};
        float[] g = new float[2];
        double[][] out = new double[PATH_STEPS + 1][];
        out[0] = new double[] {p[0], p[1]};
        for (int i = 1; i <= PATH_STEPS; i++) {
            g[0] = p[0] / 10f; // ∂f/∂x of x²/20
            g[1] = 2f * p[1]; // ∂f/∂y of y²
            opt.update(p, g, lr);
            out[i] = new double[] {p[0], p[1]};
        }
        return out;
    }

    private static int signFlips(double[][] path) {
        int n = 0;
        for (int i = 1; i < path.length; i++) {
            if (Math.signum(path[i][1]) * Math.signum(path[i - 1][1]) < 0) {
                n++;
            }
        }
        return n;
    }

    /** Moving means of w points (the book smooths its curves too): xs and ys. */
    private static double[][] smooth(double[][] pts, int w) {
        int n = Math.max(0, pts.length - w + 1);
        double[] xs = new double[n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < w; j++) {
                s += pts[i + j][1];
            }
            xs[i] = pts[i + w - 1][0];
            ys[i] = s / w;
        }
        return new double[][] {xs, ys};
    }

    private static XYChart pathChart(String name, float lr, double[][] path) {
        XYChart c = Figures.chart(name + " (lr " + lr + ")", "x", "y", 460, 340);
        c.getStyler().setXAxisMin(-10.0);
        c.getStyler().setXAxisMax(10.0);
        c.getStyler().setYAxisMin(-5.0);
        c.getStyler().setYAxisMax(5.0);
        c.getStyler().setLegendVisible(false);
        for (double level : new double[] {0.25, 1, 2.5, 5, 10}) { // contours x²/20 + y² = level
            int n = 100;
            double[] xs = new double[n + 1];
            double[] ys = new double[n + 1];
            for (int i = 0; i <= n; i++) {
                double a = 2 * Math.PI * i / n;
                xs[i] = Math.sqrt(20 * level) * Math.cos(a);
                ys[i] = Math.sqrt(level) * Math.sin(a);
            }
            c.addSeries("f = " + level, xs, ys).setXYSeriesRenderStyle(XYSeriesRenderStyle.Line)
                    .setMarker(SeriesMarkers.NONE).setLineColor(new Color(190, 190, 190));
        }
        double[] px = new double[path.length];
        double[] py = new double[path.length];
        for (int i = 0; i < path.length; i++) {
            px[i] = path[i][0];
            py[i] = path[i][1];
        }
        XYSeries line = c.addSeries("path", px, py);
        line.setMarker(SeriesMarkers.CIRCLE);
        line.setLineColor(Color.RED);
        line.setMarkerColor(Color.RED);
        XYSeries min = c.addSeries("minimum", new double[] {0}, new double[] {0});
        min.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
        min.setMarker(SeriesMarkers.CROSS);
        min.setMarkerColor(Color.BLACK);
        return c;
    }
}

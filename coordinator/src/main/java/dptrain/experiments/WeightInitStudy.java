package dptrain.experiments;

import dptrain.util.AtomicFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Chapter 6.2: the activations of a 5-layer, 100-unit network fed 1 000 random inputs, for weights drawn with
 * std 1, std 0.01, Xavier (1/√n) and He (√(2/n)) under sigmoid, tanh and ReLU (the book's histograms); then MNIST
 * loss curves for std 0.01, Xavier and He.
 */
final class WeightInitStudy implements Study {
    private static final String[] INITS = {"std 1", "std 0.01", "Xavier", "He"};
    private static final String[] ACTIVATIONS = {"sigmoid", "tanh", "relu"};
    private static final int LAYERS = 5;
    private static final int UNITS = 100;
    private static final int SAMPLES = 1000;
    private static final int BINS = 30;

    @Override
    public String name() {
        return "weight-init";
    }

    @Override
    public String description() {
        return "activation histograms for std 1 / 0.01 / Xavier / He under sigmoid, tanh, ReLU, and MNIST loss curves "
                + "(ch. 6.2)";
    }

    @Override
    public List<Finding> run(Lab lab) throws Exception {
        List<Finding> out = new ArrayList<>();
        // acts[activation][init][layer] = the layer's 100 000 activations
        double[][][][] acts = new double[ACTIVATIONS.length][INITS.length][][];
        StringBuilder csv = new StringBuilder("activation,init,layer,mean,std,share_below_0.1,share_above_0.9,"
                + "share_0.45_to_0.55,share_zero\n");
        for (int a = 0; a < ACTIVATIONS.length; a++) {
            List<XYChart> charts = new ArrayList<>();
            for (int i = 0; i < INITS.length; i++) {
                acts[a][i] = forward(ACTIVATIONS[a], INITS[i], lab.seed());
                for (int l = 0; l < LAYERS; l++) {
                    double[] v = acts[a][i][l];
                    csv.append(String.format(Locale.ROOT, "%s,%s,%d,%.6g,%.6g,%.4f,%.4f,%.4f,%.4f%n", ACTIVATIONS[a],
                            INITS[i], l + 1, mean(v), std(v), share(v, -1e9, 0.1), share(v, 0.9, 1e9),
                            share(v, 0.45, 0.55), share(v, 0, 0, true)));
                    charts.add(histogram(INITS[i] + ", layer " + (l + 1), v, ACTIVATIONS[a].equals("tanh") ? -1 : 0, 1,
                            ACTIVATIONS[a].equals("relu")));
                }
            }
            Figures.writeGrid(lab.plotsDir().resolve("weight-init-" + ACTIVATIONS[a] + ".png"), "Activations of a "
                    + "5-layer " + UNITS + "-unit " + ACTIVATIONS[a] + " net, 1 000 random inputs: rows std 1, std "
                    + "0.01, Xavier, He (ch. 6.2)", charts, LAYERS);
        }
        AtomicFiles.writeString(lab.dir().resolve("weight-init-activations.csv"), csv.toString());
        double[] sigStd1 = acts[0][0][LAYERS - 1];
        double[] sigSmall = acts[0][1][LAYERS - 1];
        double[] sigXavier = acts[0][2][LAYERS - 1];
        double ends = share(sigStd1, -1e9, 0.1) + share(sigStd1, 0.9, 1e9);
        out.add(new Finding("sigmoid, std 1: activations pile up at 0 and 1 (where the gradient vanishes)", ends > 0.5,
                String.format(Locale.ROOT, "layer 5: %.0f%% of activations below 0.1 or above 0.9", 100 * ends)));
        double mid = share(sigSmall, 0.45, 0.55);
        out.add(new Finding("sigmoid, std 0.01: activations collapse towards 0.5 (every unit says the same)",
                mid > 0.99, String.format(Locale.ROOT, "layer 5: %.1f%% within 0.45..0.55, std %.4f", 100 * mid,
                std(sigSmall))));
        out.add(new Finding("sigmoid, Xavier: the activations keep a spread in every layer",
                std(sigXavier) > 5 * std(sigSmall) && share(sigXavier, 0.45, 0.55) < 0.9,
                String.format(Locale.ROOT, "layer 5 std: Xavier %.4f, std 0.01 %.4f", std(sigXavier), std(sigSmall))));
        double smallRatio = mean(acts[2][1][LAYERS - 1]) / mean(acts[2][1][0]);
        double heRatio = mean(acts[2][3][LAYERS - 1]) / mean(acts[2][3][0]);
        out.add(new Finding("ReLU: with std 0.01 the activations shrink towards 0 layer by layer; He keeps them at one "
                + "scale", smallRatio < 0.01 && heRatio > 0.3 && heRatio < 3,
                String.format(Locale.ROOT, "mean activation, layer 5 / layer 1: std 0.01 %.2g, He %.2f", smallRatio,
                        heRatio)));

        // MNIST: the same net shape with ReLU, trained from each initialization.
        String[] flags = {"std:0.01", "xavier", "he"};
        String[] labels = {"std 0.01", "Xavier", "He"};
        List<Lab.Variant> variants = new ArrayList<>();
        for (int k = 0; k < flags.length; k++) {
            variants.add(new Lab.Variant(labels[k], List.of("--init", flags[k])));
        }
        List<String> fixed = List.of("--model", "multi-layer", "--hidden", "100,100,100,100", "--activation", "relu",
                "--optimizer", "sgd", "--lr", "0.01", "--batch-size", "128", "--train-samples",
                Integer.toString(lab.quick() ? 13_474 : 0), "--log-every", "10", "--eval-train-samples", "1000");
        List<Training> ts = lab.train("mnist", fixed, variants, lab.quick() ? 3 : 5, 0.05);
        XYChart loss = Figures.chart("MNIST training loss by weight init, 5-layer 100-unit ReLU net, SGD lr 0.01",
                "iteration", "training loss", 900, 560);
        StringBuilder lc = new StringBuilder("init,iteration,loss\n");
        double[] finals = new double[flags.length];
        for (int k = 0; k < ts.size(); k++) {
            double[][] l = ts.get(k).stepLosses();
            double[] xs = new double[l.length];
            double[] ys = new double[l.length];
            for (int i = 0; i < l.length; i++) {
                xs[i] = l[i][0];
                ys[i] = l[i][1];
                lc.append(String.format(Locale.ROOT, "%s,%d,%.6g%n", labels[k], (long) l[i][0], l[i][1]));
            }
            if (l.length > 0) {
                loss.addSeries(labels[k], xs, ys).setMarker(SeriesMarkers.NONE);
            }
            finals[k] = ts.get(k).finalLoss(10);
        }
        AtomicFiles.writeString(lab.dir().resolve("weight-init-mnist-loss.csv"), lc.toString());
        Figures.write(lab.plotsDir().resolve("weight-init-mnist-loss.png"), loss);
        String m = String.format(Locale.ROOT, "mean loss of the last 10 logged steps: std 0.01 %.3f, Xavier %.3f, "
                + "He %.3f", finals[0], finals[1], finals[2]);
        out.add(new Finding("with std 0.01 learning does not progress (the loss stays at ln 10 = 2.30, within 0.05); "
                + "with Xavier and He it does (below 2.2)", Math.abs(finals[0] - Math.log(10)) < 0.05
                && finals[1] < 2.2 && finals[2] < 2.2 && ts.stream().allMatch(Training::completed), m));
        out.add(new Finding("with ReLU, He learns faster than Xavier", finals[2] < finals[1]
                && ts.get(1).completed() && ts.get(2).completed(), m));
        return out;
    }

    /** The activations of each layer for random N(0, 1) inputs. */
    static double[][] forward(String activation, String init, long seed) {
        Random rnd = new Random(seed);
        double[] x = new double[SAMPLES * UNITS];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextGaussian();
        }
        double scale = switch (init) {
            case "std 1" -> 1;
            case "std 0.01" -> 0.01;
            case "Xavier" -> Math.sqrt(1.0 / UNITS);
            case "He" -> Math.sqrt(2.0 / UNITS);
            default -> throw new IllegalArgumentException(init);
        };
        double[][] out = new double[LAYERS][];
        for (int l = 0; l < LAYERS; l++) {
            double[] w = new double[UNITS * UNITS];
            for (int i = 0; i < w.length; i++) {
                w[i] = scale * rnd.nextGaussian();
            }
            double[] y = new double[SAMPLES * UNITS];
            for (int s = 0; s < SAMPLES; s++) {
                for (int i = 0; i < UNITS; i++) {
                    double xi = x[s * UNITS + i];
                    for (int j = 0; j < UNITS; j++) {
                        y[s * UNITS + j] += xi * w[i * UNITS + j];
                    }
                }
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = switch (activation) {
                    case "sigmoid" -> 1 / (1 + Math.exp(-y[i]));
                    case "tanh" -> Math.tanh(y[i]);
                    default -> Math.max(0, y[i]);
                };
            }
            out[l] = y;
            x = y;
        }
        return out;
    }

    /** A histogram of v over [lo, hi]; without its zeros for ReLU, whose half of zeros would hide the rest. */
    private static XYChart histogram(String title, double[] v, double lo, double hi, boolean nonZero) {
        double[] counts = new double[BINS];
        for (double a : v) {
            if (a >= lo && a <= hi && !(nonZero && a == 0)) {
                counts[Math.min(BINS - 1, (int) ((a - lo) / (hi - lo) * BINS))]++;
            }
        }
        double[] xs = new double[BINS];
        for (int b = 0; b < BINS; b++) {
            xs[b] = lo + (b + 0.5) * (hi - lo) / BINS;
        }
        XYChart c = Figures.chart(title, nonZero ? "activation (zeros left out)" : "activation", "count", 300, 230);
        c.getStyler().setLegendVisible(false);
        c.getStyler().setXAxisMin(lo);
        c.getStyler().setXAxisMax(hi);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setChartTitleFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
        c.addSeries("count", xs, counts).setXYSeriesRenderStyle(XYSeriesRenderStyle.StepArea)
                .setMarker(SeriesMarkers.NONE);
        return c;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double a : v) {
            s += a;
        }
        return s / v.length;
    }

    private static double std(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double a : v) {
            s += (a - m) * (a - m);
        }
        return Math.sqrt(s / v.length);
    }

    private static double share(double[] v, double lo, double hi) {
        return share(v, lo, hi, false);
    }

    /** The share of values in [lo, hi) (or equal to lo when exact). */
    private static double share(double[] v, double lo, double hi, boolean exact) {
        int n = 0;
        for (double a : v) {
            if (exact ? a == lo : a >= lo && a < hi) {
                n++;
            }
        }
        return (double) n / v.length;
    }
}

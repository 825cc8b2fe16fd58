package dptrain.experiments;

import dptrain.data.Dataset;
import dptrain.nn.Init;
import dptrain.nn.Model;
import dptrain.nn.Nets;
import dptrain.train.Checkpoint;
import dptrain.train.TrainingSet;
import dptrain.util.AtomicFiles;
import dptrain.util.JsonCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Chapter 7.6: SimpleConvNet's 30 first-layer 5×5 filters as images before training (noise) and after (smooth
 * blobs and edges), and the responses (convolution and ReLU) of those filters to one training digit.
 */
final class FiltersStudy implements Study {
    private static final int FILTERS = 30;
    private static final int SIZE = 5;
    private static final int SIDE = 28;

    @Override
    public String name() {
        return "filters";
    }

    @Override
    public String description() {
        return "SimpleConvNet's first-layer filters before and after training, and one digit through them (ch. 7.6)";
    }

    @Override
    public List<Finding> run(Lab lab) throws Exception {
        int epochs = lab.quick() ? 1 : 5;
        List<String> args = List.of("--model", "simple-cnn", "--init", "std:0.01", "--epochs", Integer.toString(epochs));
        float[] before = new Model(Nets.simpleConv(Init.std(0.01))).initialParams(lab.seed());
        Path run = lab.trainHere("simple-cnn", args);
        float[] after = Checkpoint.read(run.resolve("checkpoints").resolve("latest.ckpt")).params();
        Map<String, Object> summary = JsonCodec.readObject(Files.readString(run.resolve("summary.json")));

        List<float[]> fb = filters(before);
        List<float[]> fa = filters(after);
        List<String> labels = new ArrayList<>();
        for (int f = 0; f < FILTERS; f++) {
            labels.add("#" + (f + 1));
        }
        Figures.writeImage(lab.plotsDir().resolve("filters-before.png"), Figures.tiles("First-layer filters before "
                + "training (std 0.01 noise)", fb, labels, SIZE, SIZE, 10, 12));
        Figures.writeImage(lab.plotsDir().resolve("filters-after.png"), Figures.tiles(String.format(Locale.ROOT,
                "First-layer filters after %d epoch%s (test accuracy %.4f)", epochs, epochs == 1 ? "" : "s",
                ((Number) summary.get("test_accuracy")).doubleValue()), fa, labels, SIZE, SIZE, 10, 12));

        Dataset train = TrainingSet.mnist(lab.dataDir()).train();
        float[] digit = new float[SIDE * SIDE];
        train.copySample(0, digit, 0);
        List<float[]> maps = new ArrayList<>();
        List<String> mapLabels = new ArrayList<>();
        for (int f = 0; f < FILTERS; f++) {
            maps.add(response(digit, fa.get(f), after[FILTERS * SIZE * SIZE + f]));
            mapLabels.add("#" + (f + 1));
        }
        Figures.writeImage(lab.plotsDir().resolve("filter-responses.png"), Figures.tiles("Training digit 0 (a "
                + train.label(0) + ") through each trained first-layer filter: convolution + ReLU, 24×24", maps,
                mapLabels, 24, 24, 10, 3));
        Figures.writeImage(lab.plotsDir().resolve("filter-input.png"), Figures.tiles("The digit", List.of(digit),
                List.of("label " + train.label(0)), SIDE, SIDE, 1, 6));

        StringBuilder csv = new StringBuilder("filter,neighbour_correlation_before,neighbour_correlation_after\n");
        double sb = 0;
        double sa = 0;
        for (int f = 0; f < FILTERS; f++) {
            double cb = smoothness(fb.get(f));
            double ca = smoothness(fa.get(f));
            sb += cb;
            sa += ca;
            csv.append(String.format(Locale.ROOT, "%d,%.4f,%.4f%n", f + 1, cb, ca));
        }
        sb /= FILTERS;
        sa /= FILTERS;
        AtomicFiles.writeString(lab.dir().resolve("filters.csv"), csv.toString());
        return List.of(new Finding("training turns random filters into smooth, structured ones (blobs and edges): "
                        + "neighbouring weights of a trained filter are correlated, those of a random one are not",
                Math.abs(sb) < 0.15 && sa > 0.3 && sa > sb + 0.2, String.format(Locale.ROOT, "mean correlation of "
                        + "horizontally and vertically neighbouring weights: before %.3f, after %.3f", sb, sa)));
    }

    /** The 30 filters of the first convolution (parameters W first, 30 × 5·5 row-major, then the biases). */
    private static List<float[]> filters(float[] params) {
        List<float[]> out = new ArrayList<>();
        for (int f = 0; f < FILTERS; f++) {
            float[] w = new float[SIZE * SIZE];
            System.arraycopy(params, f * SIZE * SIZE, w, 0, w.length);
            out.add(w);
        }
        return out;
    }

    /** relu(w ⊛ image + b), valid positions: 24 × 24. */
    static float[] response(float[] image, float[] w, float b) {
        int o = SIDE - SIZE + 1;
        float[] out = new float[o * o];
        for (int y = 0; y < o; y++) {
            for (int x = 0; x < o; x++) {
                float s = b;
                for (int i = 0; i < SIZE; i++) {
                    for (int j = 0; j < SIZE; j++) {
                        s += w[i * SIZE + j] * image[(y + i) * SIDE + x + j];
                    }
                }
                out[y * o + x] = Math.max(0, s);
            }
        }
        return out;
    }

    /** The correlation of horizontally and vertically neighbouring weights of a filter (0 for noise). */
    static double smoothness(float[] w) {
        double mean = 0;
        for (float v : w) {
            mean += v;
        }
        mean /= w.length;
        double var = 0;
        for (float v : w) {
            var += (v - mean) * (v - mean);
        }
        var /= w.length;
        double cov = 0;
        int n = 0;
        for (int i = 0; i < SIZE; i++) {
            for (int j = 0; j < SIZE; j++) {
                if (j + 1 < SIZE) {
                    cov += (w[i * SIZE + j] - mean) * (w[i * SIZE + j + 1] - mean);
                    n++;
                }
                if (i + 1 < SIZE) {
                    cov += (w[i * SIZE + j] - mean) * (w[(i + 1) * SIZE + j] - mean);
                    n++;
                }
            }
        }
        return var == 0 ? 0 : cov / n / var;
    }
}

package dptrain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.cli.SearchPlots.Axis;
import dptrain.cli.SearchPlots.Trial;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The search plots of a small synthetic ASHA search are PNGs; a plot whose data is absent is skipped, not an error. */
class SearchPlotsTest {
    static final List<Axis> AXES = List.of(
            new Axis("lr", true, 1e-4, 1, null),
            new Axis("weight-decay", true, 1e-8, 1e-1, null),
            new Axis("optimizer", false, 0, 0, List.of("sgd", "momentum", "adam")),
            new Axis("hidden", false, 16, 256, null));
    static final List<String> ALL = List.of("accuracy-lr-weight-decay.png", "best-so-far-trials.png",
            "best-so-far-time.png", "parallel-coordinates.png", "asha-rungs.png");
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir
    Path tmp;

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void writesEveryPlotOfAnAshaSearch() throws IOException {
        Path dir = tmp.resolve("plots");
        List<Path> written = SearchPlots.write(dir, AXES, search(60, 7), true);
        assertEquals(ALL, names(written));
        for (Path p : written) {
            byte[] png = Files.readAllBytes(p);
            assertTrue(png.length > 10_000, p + " is only " + png.length + " bytes");
            assertArrayEquals(PNG_MAGIC, Arrays.copyOf(png, PNG_MAGIC.length), p + " is not a PNG");
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(ALL.size(), files.count(), "no temporary files left behind");
        }
    }

    @Test
    void writesNothingWithoutAScoredTrial() throws IOException {
        List<Trial> unscored = search(20, 3).stream()
                .map(t -> new Trial(t.index(), t.params(), Double.NaN, "running", new double[0], new double[0],
                        Double.NaN))
                .toList();
        assertEquals(List.of(), SearchPlots.write(tmp, AXES, unscored, true));
        assertEquals(List.of(), SearchPlots.write(tmp, AXES, List.of(), true));
    }

    @Test
    void skipsThePlotsWhoseDataIsAbsent() throws IOException {
        // one numeric axis: no lr × weight-decay map; no finish times: no time plot; no ASHA: no rungs
        List<Axis> axes = List.of(AXES.get(0), AXES.get(2));
        List<Trial> untimed = search(30, 5).stream()
                .map(t -> new Trial(t.index(), t.params(), t.score(), t.status(), t.epochs(), t.accuracies(),
                        Double.NaN))
                .toList();
        assertEquals(List.of("best-so-far-trials.png", "parallel-coordinates.png"),
                names(SearchPlots.write(tmp.resolve("a"), axes, untimed, false)));
        // ASHA asked for, but no trial reported an epoch
        List<Trial> noCurves = search(30, 5).stream()
                .map(t -> new Trial(t.index(), t.params(), t.score(), t.status(), new double[0], new double[0],
                        t.endSeconds()))
                .toList();
        assertEquals(ALL.subList(0, 4), names(SearchPlots.write(tmp.resolve("b"), AXES, noCurves, true)));
    }

    @Test
    void skipsTrialsWithMissingOrNonFiniteValues() throws IOException {
        // no trial has "hidden": parallel coordinates has no complete line; the lr × weight-decay map still has its axes
        List<Trial> noHidden = new ArrayList<>();
        for (Trial t : search(30, 9)) {
            Map<String, Object> p = new HashMap<>(t.params());
            p.remove("hidden");
            p.put("weight-decay", t.index() % 2 == 0 ? Double.NaN : p.get("weight-decay"));
            noHidden.add(new Trial(t.index(), p, t.score(), t.status(), t.epochs(), t.accuracies(), t.endSeconds()));
        }
        assertEquals(List.of("accuracy-lr-weight-decay.png", "best-so-far-trials.png", "best-so-far-time.png",
                "asha-rungs.png"), names(SearchPlots.write(tmp, AXES, noHidden, true)));
    }

    @Test
    void formatsNumbersShortly() {
        assertEquals("0.001", SearchPlots.fmt(0.001));
        assertEquals("64", SearchPlots.fmt(64));
        assertEquals("0.931", SearchPlots.fmt(0.93100001));
        assertEquals("1e-8", SearchPlots.fmt(1e-8));
        assertEquals("3.16e-5", SearchPlots.fmt(3.1623e-5));
        assertEquals("1e-4", SearchPlots.fmt(9.9999e-5));
    }

    private static List<String> names(List<Path> files) {
        return files.stream().map(p -> p.getFileName().toString()).toList();
    }

    /**
     * A synthetic ASHA search of n trials: accuracy peaks near lr = 1e-2 and small weight decay, large learning rates
     * sometimes diverge, rungs at 1, 3 and 9 epochs keep the best third, the last two trials are running and pending,
     * and parameter values come in the number types a search records.
     */
    static List<Trial> search(int n, long seed) {
        Random r = new Random(seed);
        int[] rungs = {1, 3, 9, 27};
        List<Map<String, Object>> params = new ArrayList<>();
        double[] potential = new double[n];
        boolean[] diverges = new boolean[n];
        for (int i = 0; i < n; i++) {
            double lr = Math.pow(10, -4 + 4 * r.nextDouble());
            double wd = Math.pow(10, -8 + 7 * r.nextDouble());
            Map<String, Object> p = new HashMap<>();
            p.put("lr", i % 7 == 3 ? (Object) (float) lr : (Object) lr);
            p.put("weight-decay", wd);
            p.put("optimizer", List.of("sgd", "momentum", "adam").get(r.nextInt(3)));
            p.put("hidden", i % 5 == 1 ? (Object) (long) (16 + r.nextInt(241)) : (Object) (16 + r.nextInt(241)));
            params.add(p);
            double lrFit = Math.exp(-Math.pow(Math.log10(lr) + 2, 2) / 1.2);
            double wdFit = 1 / (1 + wd * 300);
            potential[i] = 0.1 + 0.88 * lrFit * wdFit;
            diverges[i] = lr > 0.2 && r.nextDouble() < 0.6;
        }
        // each trial's accuracy after epoch e rises towards its potential
        double[][] curve = new double[n][rungs[rungs.length - 1] + 1];
        for (int i = 0; i < n; i++) {
            for (int e = 1; e < curve[i].length; e++) {
                curve[i][e] = Math.min(0.995, potential[i] * (1 - 0.55 * Math.exp(-e / 4.0)) + 0.01 * r.nextGaussian());
            }
        }
        // ASHA: at each rung a trial goes on only if it is in the top third of those that reached the rung
        int[] reached = new int[n];
        Arrays.fill(reached, rungs[0]);
        for (int k = 0; k + 1 < rungs.length; k++) {
            int rung = rungs[k];
            double[] atRung = new double[n];
            int m = 0;
            for (int i = 0; i < n; i++) {
                if (reached[i] == rung && !diverges[i]) {
                    atRung[m++] = curve[i][rung];
                }
            }
            double[] sorted = Arrays.copyOf(atRung, m);
            Arrays.sort(sorted);
            double cut = m == 0 ? 0 : sorted[m - Math.max(1, m / 3)];
            for (int i = 0; i < n; i++) {
                if (reached[i] == rung && !diverges[i] && curve[i][rung] >= cut) {
                    reached[i] = rungs[k + 1];
                }
            }
        }
        List<Trial> trials = new ArrayList<>();
        double[] workerFree = new double[2];
        for (int i = 0; i < n; i++) {
            int epochs = diverges[i] ? 1 + r.nextInt(2) : reached[i];
            int w = workerFree[0] <= workerFree[1] ? 0 : 1;
            workerFree[w] += 5 + 3.5 * epochs;
            boolean running = i == n - 2;
            boolean pending = i == n - 1;
            int ran = pending ? 0 : running ? Math.max(1, epochs / 2) : epochs;
            double[] es = new double[ran];
            double[] acc = new double[ran];
            for (int e = 1; e <= ran; e++) {
                es[e - 1] = e;
                acc[e - 1] = diverges[i] && e == ran ? Double.NaN : curve[i][e];
            }
            String status = pending ? "pending" : running ? "running" : diverges[i] ? "diverged"
                    : epochs == rungs[rungs.length - 1] ? "completed" : "stopped";
            double score = running || pending || diverges[i] ? Double.NaN : curve[i][ran];
            trials.add(new Trial(i, params.get(i), score, status, es, acc,
                    running || pending ? Double.NaN : workerFree[w]));
        }
        return trials;
    }
}

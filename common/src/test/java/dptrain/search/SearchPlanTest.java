package dptrain.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.search.SearchPlan.Result;
import dptrain.search.SearchPlan.Unit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SearchPlanTest {
    private static SearchSpace space(String... flags) {
        return new SearchSpace(SearchSpace.parseFlags(List.of(flags)));
    }

    private static SearchPlan.Settings settings(SearchSpace sp, SearchPlan.Sampler s, boolean asha, int trials,
                                                int epochs, int min, int eta) {
        return new SearchPlan.Settings(sp, s, asha, trials, 1, epochs, min, eta, 2, 4, 3,
                GaussianProcess.Kernel.MATERN52, 2, 7);
    }

    @Test
    void logUniformStaysInBoundsAndIsUniformInLogSpace() {
        SearchPlan p = new SearchPlan(settings(space("lr=log-uniform:1e-6:1e-2", "batch-size=int:50:200",
                "optimizer=choice:sgd,momentum,adam"), SearchPlan.Sampler.RANDOM, false, 4000, 1, 1, 3));
        int[] decade = new int[4];
        int[] choice = new int[3];
        for (int t = 0; t < 4000; t++) {
            Map<String, String> v = p.values(t);
            double lr = Double.parseDouble(v.get("lr"));
            assertTrue(lr >= 1e-6 * (1 - 1e-6) && lr <= 1e-2 * (1 + 1e-6), "lr " + lr);
            decade[(int) Math.min(3, Math.floor(Math.log10(lr) + 6))]++;
            int b = Integer.parseInt(v.get("batch-size"));
            assertTrue(b >= 50 && b <= 200, "batch-size " + b);
            choice[List.of("sgd", "momentum", "adam").indexOf(v.get("optimizer"))]++;
        }
        // Chi-square against equal counts per decade (3 degrees of freedom: 11.34 at p = 0.01).
        double chi = 0;
        for (int c : decade) {
            chi += Math.pow(c - 1000, 2) / 1000;
        }
        assertTrue(chi < 11.34, "decades of lr not uniform in log space: " + java.util.Arrays.toString(decade));
        for (int c : choice) {
            assertTrue(Math.abs(c - 4000 / 3.0) < 120, "choice counts " + java.util.Arrays.toString(choice));
        }
        // The same (seed, index) gives the same values whatever else was asked before.
        SearchPlan q = new SearchPlan(p.settings());
        assertEquals(p.values(1234), q.values(1234));
    }

    @Test
    void sobolCoversTheSquareMoreEvenlyThanRandom() {
        // 64 points over an 8 x 8 grid of cells: Sobol leaves (almost) none empty, random leaves about 23.
        int sobolEmpty = emptyCells(SearchPlan.Sampler.SOBOL);
        int randomEmpty = emptyCells(SearchPlan.Sampler.RANDOM);
        assertTrue(sobolEmpty <= 4, "empty cells with Sobol: " + sobolEmpty);
        assertTrue(randomEmpty > 12, "empty cells with random: " + randomEmpty);
    }

    private static int emptyCells(SearchPlan.Sampler s) {
        SearchPlan p = new SearchPlan(settings(space("dropout=uniform:0:1", "momentum=uniform:0:1"), s, false, 64, 1, 1, 3));
        Set<Integer> hit = new HashSet<>();
        for (int t = 0; t < 64; t++) {
            double[] u = p.point(t);
            assertTrue(u[0] >= 0 && u[0] < 1 && u[1] >= 0 && u[1] < 1);
            hit.add((int) (u[0] * 8) * 8 + (int) (u[1] * 8));
        }
        return 64 - hit.size();
    }

    @Test
    void gridWalksEveryCombination() {
        SearchPlan p = new SearchPlan(settings(space("lr=log-uniform:1e-4:1e-2", "optimizer=choice:sgd,adam"),
                SearchPlan.Sampler.GRID, false, 100, 1, 1, 3));
        assertEquals(6, p.trialCount());
        Set<String> seen = new HashSet<>();
        for (int t = 0; t < 6; t++) {
            seen.add(p.values(t).toString());
        }
        assertEquals(6, seen.size());
        assertEquals(Map.of("lr", "1.0E-4", "optimizer", "sgd"), p.values(0));
        assertEquals("0.01", p.values(5).get("lr"));
    }

    @Test
    void spaceFilesKeepTheirOrderAndNameBadLines(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path f = dir.resolve("space.conf");
        java.nio.file.Files.writeString(f, "lr = \"log-uniform:1e-6:1e-2\"\noptimizer = [sgd, adam]\n"
                + "dropout { distribution = uniform, min = 0, max = 0.5 }\n");
        List<Param> ps = SearchSpace.parseFile(f);
        assertEquals(List.of("lr", "optimizer", "dropout"), ps.stream().map(Param::name).toList());
        assertEquals(List.of("sgd", "adam"), ps.get(1).choices());
        assertEquals(0.5, ps.get(2).hi());
        java.nio.file.Files.writeString(f, "lr = \"log-uniform:1e-6:1e-2\"\n\nmomentum = 3\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SearchSpace.parseFile(f));
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("momentum"), e.getMessage());
    }

    @Test
    void badParametersAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> Param.parse("lr", "log-uniform:0:1"));
        assertThrows(IllegalArgumentException.class, () -> Param.parse("lr", "uniform:2:1"));
        assertThrows(IllegalArgumentException.class, () -> Param.parse("lr", "normal:0:1"));
        assertThrows(IllegalArgumentException.class, () -> Param.parse("batch-size", "int:1.5:3"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SearchSpace.parseFlags(List.of("lr")));
        assertTrue(e.getMessage().contains("--param"), e.getMessage());
    }

    /** Accuracy of a made-up trial: a function of its index only, with ties. */
    private static double acc(int t) {
        return ((t * 37) % 11) / 10.0;
    }

    /** Runs a whole ASHA search, delivering results in the given order of choice; returns the plan. */
    private static SearchPlan runAsha(long shuffleSeed, int workers) {
        SearchPlan p = new SearchPlan(settings(space("lr=log-uniform:1e-4:1"), SearchPlan.Sampler.RANDOM, true, 20,
                9, 1, 3));
        SplittableRandom r = new SplittableRandom(shuffleSeed);
        Set<Unit> flight = new HashSet<>();
        while (true) {
            for (Unit u : p.ready(flight, workers - flight.size())) {
                flight.add(u);
            }
            if (flight.isEmpty()) {
                break;
            }
            List<Unit> f = new ArrayList<>(flight);
            Collections.sort(f, (a, b) -> Integer.compare(a.trial() * 10 + a.rung(), b.trial() * 10 + b.rung()));
            Unit done = f.get(r.nextInt(f.size()));
            flight.remove(done);
            p.record(done, Result.ok(acc(done.trial()) + done.rung() * 0.01, 1 - acc(done.trial()), 1, "x"));
        }
        assertTrue(p.finished(Set.of()));
        return p;
    }

    @Test
    void ashaPromotesTheBestOfEachGroupOfEtaWhateverTheOrderOfResults() {
        SearchPlan p = runAsha(1, 1);
        assertEquals(List.of(1, 3, 9), java.util.Arrays.stream(p.rungs()).boxed().toList());
        // Rung 0: groups {0,1,2} {3,4,5} ... {18,19} (the trailing pair promotes nobody).
        List<Integer> rung1 = new ArrayList<>();
        for (int t = 0; t < 20; t++) {
            if (p.promoted(t, 1)) {
                rung1.add(t);
            }
        }
        List<Integer> expected = new ArrayList<>();
        for (int g = 0; g < 6; g++) {
            int best = g * 3;
            for (int t = g * 3; t < g * 3 + 3; t++) {
                if (acc(t) > acc(best)) {
                    best = t;
                }
            }
            expected.add(best);
        }
        assertEquals(expected, rung1);
        // Rung 2: best of rung1's first three and of its next three.
        List<Integer> rung2 = new ArrayList<>();
        for (int t = 0; t < 20; t++) {
            if (p.promoted(t, 2)) {
                rung2.add(t);
                assertEquals("completed", p.status(t, Set.of(), true));
            }
        }
        assertEquals(2, rung2.size());
        assertFalse(p.promoted(18, 1) || p.promoted(19, 1), "a partial trailing group promotes nobody");
        long[] e = p.epochs();
        assertEquals(20 + 6 * 3 + 2 * 9 - (6 * 1) - (2 * 3), e[0], "epochs: resumed trials count only what they add");
        // Any order of results, any number of workers: the same decisions.
        for (long seed = 2; seed < 8; seed++) {
            SearchPlan q = runAsha(seed, 1 + (int) (seed % 4));
            assertEquals(p.ranking(), q.ranking(), "ranking with result order " + seed);
            for (int t = 0; t < 20; t++) {
                assertEquals(p.status(t, Set.of(), true), q.status(t, Set.of(), true), "trial " + t);
            }
        }
    }

    @Test
    void divergedTrialsAreSkippedAndRetriesAreBounded() {
        SearchPlan p = new SearchPlan(settings(space("lr=log-uniform:1e-4:1"), SearchPlan.Sampler.RANDOM, true, 3,
                3, 1, 3));
        p.record(new Unit(0, 0, 0, 1), new Result(SearchPlan.DIVERGED, Double.NaN, Double.NaN, 5, null, "step 5"));
        p.record(new Unit(1, 0, 0, 1), Result.ok(0.5, 1, 1, "a"));
        Unit u2 = new Unit(2, 0, 0, 1);
        assertTrue(p.retry(u2, "lost"));
        assertTrue(p.retry(u2, "lost"));
        assertFalse(p.retry(u2, "lost"), "the third failure exceeds --max-retries 2");
        assertEquals("failed", p.status(2, Set.of(), true));
        assertEquals("diverged", p.status(0, Set.of(), true));
        assertTrue(p.promoted(1, 1), "the only scored member of the group goes on");
        assertEquals(List.of(new Unit(1, 0, 1, 3)), p.ready(Set.of(), 10));
    }

    @Test
    void bayesProposesFromEarlierTrialsOnlyAndFindsAGoodRegion() {
        SearchPlan.Settings s = new SearchPlan.Settings(space("dropout=uniform:0:1"), SearchPlan.Sampler.BAYES,
                false, 14, 1, 1, 1, 3, 2, 4, 3, GaussianProcess.Kernel.MATERN52, 2, 3);
        SearchPlan p = new SearchPlan(s);
        // Trial 6 depends on trials 0..3 (window 2): it is not proposed before they are done.
        for (int t = 0; t < 4; t++) {
            assertTrue(p.values(t) != null, "initial points come from Sobol");
        }
        assertEquals(null, p.point(6));
        double best = -1;
        for (int t = 0; t < 14; t++) {
            double x = p.point(t)[0];
            double y = 1 - Math.pow(x - 0.3, 2);
            best = Math.max(best, y);
            p.record(new Unit(t, 0, 0, 1), Result.ok(y, 0, 1, "h"));
        }
        assertTrue(best > 1 - 1e-3, "best found " + best);
    }
}

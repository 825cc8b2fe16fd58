package dptrain.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The decisions of a search, as a pure function of its settings and of the results recorded so far: which trials
 * exist, their parameter values, which units of work may run, which trials ASHA promotes, and the ranking. It never
 * looks at the order in which results arrive, so the same seed gives the same trials, scores and winner on any
 * cluster, and replaying the journal after a crash gives back the same state.
 *
 * <p>A <em>unit</em> is one seed of one trial trained up to one rung's epoch. Without ASHA there is one rung, the
 * full budget. With ASHA the rungs are minEpochs·η^k below maxEpochs, then maxEpochs; a trial paused at a rung
 * resumes from its checkpoint when promoted, so its bits equal a run trained straight through.
 *
 * <p><b>ASHA's rule.</b> The trials that enter rung k, in trial-index order, are cut into consecutive groups of η;
 * a group decides as soon as all η members have their rung-k result, and promotes its best (highest mean validation
 * accuracy, then lowest loss, then lowest index) to rung k+1. Rung 0 holds every trial; since each group's winner
 * has a lower index than the next group's, rung k+1's i-th member is the winner of rung k's group i, so membership
 * is fixed by results alone. A decision waits for η results, not for the whole rung, so workers go on with new
 * trials and with promotions while other groups are still running: asynchronous, like ASHA, but deterministic.
 * The cost: a trailing group with fewer than η members promotes nobody (promote ⌊size/η⌋ = 0).
 */
public final class SearchPlan {
    /** How trials are proposed. */
    public enum Sampler { RANDOM, SOBOL, GRID, BAYES }

    /** What a search is: its space, sampler, budget and seeds. */
    public record Settings(SearchSpace space, Sampler sampler, boolean asha, int trials, int seedsPerTrial,
                           int maxEpochs, int minEpochs, int eta, int window, int initialPoints, int gridPoints,
                           GaussianProcess.Kernel kernel, int maxRetries, long seed) {
        /** Checks the settings, naming the flag of a bad one. */
        public Settings {
            require(trials >= 1, "--trials", trials, "an integer >= 1");
            require(seedsPerTrial >= 1 && seedsPerTrial <= 100, "--seeds-per-trial", seedsPerTrial, "1..100");
            require(maxEpochs >= 1, "--epochs", maxEpochs, "an integer >= 1");
            require(minEpochs >= 1 && minEpochs <= maxEpochs, "--min-epochs", minEpochs, "1..--epochs (" + maxEpochs + ")");
            require(eta >= 2, "--eta", eta, "an integer >= 2");
            require(window >= 0, "--bayes-window", window, "an integer >= 0");
            require(initialPoints >= 1, "--bayes-initial", initialPoints, "an integer >= 1");
            require(gridPoints >= 1 && gridPoints <= 100, "--grid-points", gridPoints, "1..100");
            require(maxRetries >= 0, "--max-retries", maxRetries, "an integer >= 0");
            require(space.dimensions() >= 1, "--param", "none", "at least one --param or a --space file");
        }

        private static void require(boolean ok, String flag, Object v, String expected) {
            if (!ok) {
                throw new IllegalArgumentException("invalid value for " + flag + ": " + v + " (expected " + expected + ")");
            }
        }

        /** The rungs' epochs, ascending, the last being maxEpochs. */
        public int[] rungs() {
            if (!asha) {
                return new int[] {maxEpochs};
            }
            List<Integer> r = new ArrayList<>();
            for (long e = minEpochs; e < maxEpochs; e *= eta) {
                r.add((int) e);
            }
            r.add(maxEpochs);
            return r.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /** One seed of one trial trained up to rung's epoch. */
    public record Unit(int trial, int seedIndex, int rung, int epoch) {
        /** "trial 7 seed 0 to epoch 9", for logs. */
        @Override
        public String toString() {
            return "trial " + trial + " seed " + seedIndex + " to epoch " + epoch;
        }
    }

    /** What a unit ended with; accuracy and loss on the validation split at the unit's epoch. */
    public record Result(String status, double accuracy, double loss, long steps, String paramsSha256, String detail) {
        /** A unit that trained to its epoch. */
        public static Result ok(double accuracy, double loss, long steps, String sha) {
            return new Result(OK, accuracy, loss, steps, sha, null);
        }

        /** Whether the unit trained to its epoch. */
        public boolean isOk() {
            return OK.equals(status);
        }
    }

    /** Unit status values. */
    public static final String OK = "ok";
    /** A unit whose loss became NaN or infinite. */
    public static final String DIVERGED = "diverged";
    /** A unit that failed more often than --max-retries allows. */
    public static final String FAILED = "failed";

    private final Settings s;
    private final int[] rungs;
    private final List<String[]> grid;
    private final Map<Integer, double[]> points = new HashMap<>();
    private final Map<Integer, Map<String, String>> values = new HashMap<>();
    /** results[trial] → [rung][seed]. */
    private final Map<Integer, Result[][]> results = new HashMap<>();
    private final Map<Unit, Integer> retries = new HashMap<>();
    private final Map<Long, Integer> winners = new HashMap<>();

    /** A plan with no results yet. */
    public SearchPlan(Settings s) {
        this.s = s;
        this.rungs = s.rungs();
        this.grid = s.sampler() == Sampler.GRID ? Samplers.grid(s.space(), s.gridPoints()) : null;
    }

    /** The settings. */
    public Settings settings() {
        return s;
    }

    /** The rungs' epochs. */
    public int[] rungs() {
        return rungs.clone();
    }

    /** Trials in this search: --trials, or fewer when the grid has fewer points. */
    public int trialCount() {
        return grid == null ? s.trials() : Math.min(s.trials(), grid.size());
    }

    /** The points of the grid (all of them, whatever --trials), or -1 for other samplers. */
    public int gridSize() {
        return grid == null ? -1 : grid.size();
    }

    /** The seed of a trial's r-th run: the search seed plus r, the same for every trial (paired comparisons). */
    public long trialSeed(int seedIndex) {
        return s.seed() + seedIndex;
    }

    // ---------------------------------------------------------------- proposals

    /** Trial i's flag values, or null while the Bayesian strategy still waits for the results it depends on. */
    public Map<String, String> values(int trial) {
        Map<String, String> v = values.get(trial);
        if (v != null) {
            return v;
        }
        double[] u = point(trial);
        if (u == null) {
            return null;
        }
        if (grid != null) {
            String[] g = grid.get(trial);
            v = new LinkedHashMap<>();
            for (int j = 0; j < g.length; j++) {
                v.put(s.space().params().get(j).name(), g[j]);
            }
        } else {
            v = s.space().values(u);
        }
        values.put(trial, v);
        return v;
    }

    /** Trial i's point of the unit cube, or null when it cannot be proposed yet. */
    public double[] point(int trial) {
        double[] u = points.get(trial);
        if (u != null) {
            return u;
        }
        int d = s.space().dimensions();
        switch (s.sampler()) {
            case RANDOM -> u = Samplers.random(s.seed(), trial, d);
            case SOBOL -> u = Samplers.sobol(s.seed(), trial, d);
            case GRID -> {
                String[] g = grid.get(trial);
                u = new double[d];
                for (int j = 0; j < d; j++) {
                    u[j] = s.space().params().get(j).unit(g[j]);
                }
            }
            case BAYES -> u = bayes(trial);
        }
        if (u != null) {
            points.put(trial, u);
        }
        return u;
    }

    /**
     * Trial i ≥ initialPoints is proposed from the rung-0 results of trials 0 … i − window − 1 (all of them, so the
     * proposal does not depend on which other trials happen to have finished); the first ones come from Sobol.
     */
    private double[] bayes(int trial) {
        int d = s.space().dimensions();
        if (trial < s.initialPoints()) {
            return Samplers.sobol(s.seed(), trial, d);
        }
        int upTo = trial - s.window();
        if (upTo <= 0) {
            return Samplers.sobol(s.seed(), trial, d);
        }
        List<double[]> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        double worst = Double.POSITIVE_INFINITY;
        List<double[]> failedXs = new ArrayList<>();
        for (int j = 0; j < upTo; j++) {
            if (!decided(j, 0)) {
                return null;
            }
            double y = score(j, 0);
            if (Double.isNaN(y)) {
                failedXs.add(point(j));
            } else {
                xs.add(point(j));
                ys.add(y);
                worst = Math.min(worst, y);
            }
        }
        // A diverged or failed trial counts as the worst seen: the GP learns to avoid its region.
        for (double[] x : failedXs) {
            xs.add(x);
            ys.add(Double.isInfinite(worst) ? 0.0 : worst);
        }
        return BayesProposer.propose(xs.toArray(double[][]::new), ys.stream().mapToDouble(Double::doubleValue).toArray(),
                d, s.kernel(), Samplers.rng(s.seed(), trial, 0xBA7E5L).nextLong());
    }

    // ---------------------------------------------------------------- units

    /**
     * The units that may start now and are not in flight, best first: higher rungs (promotions) before new trials,
     * then by trial and seed index. Only efficiency depends on this order, never a result.
     */
    public List<Unit> ready(Set<Unit> inFlight, int max) {
        List<Unit> out = new ArrayList<>();
        for (int k = rungs.length - 1; k >= 0 && out.size() < max; k--) {
            for (int m = 0; out.size() < max; m++) {
                int t = member(k, m);
                if (t == NONE) {
                    break;
                }
                if (t == PENDING) {
                    if (k == 0) {
                        break; // bayes: later trials wait for earlier results
                    }
                    continue;
                }
                if (t == EMPTY || terminal(t)) {
                    continue;
                }
                for (int r = 0; r < s.seedsPerTrial() && out.size() < max; r++) {
                    Unit u = new Unit(t, r, k, rungs[k]);
                    if (result(t, k, r) == null && !inFlight.contains(u)) {
                        out.add(u);
                    }
                }
            }
        }
        return out;
    }

    /** Records a unit's result (a replayed or repeated one again: the first stays). */
    public void record(Unit u, Result r) {
        Result[][] rs = results.computeIfAbsent(u.trial(), t -> new Result[rungs.length][s.seedsPerTrial()]);
        if (u.rung() >= rungs.length || u.seedIndex() >= s.seedsPerTrial() || rungs[u.rung()] != u.epoch()) {
            throw new IllegalArgumentException("no such unit in this search: " + u);
        }
        if (rs[u.rung()][u.seedIndex()] == null) {
            rs[u.rung()][u.seedIndex()] = r;
        }
    }

    /** A unit failed (worker lost …); returns false once it has failed more than --max-retries times. */
    public boolean retry(Unit u, String why) {
        int n = retries.merge(u, 1, Integer::sum);
        if (n > s.maxRetries()) {
            record(u, new Result(FAILED, Double.NaN, Double.NaN, 0, null, "failed " + n + " times; last: " + why));
            return false;
        }
        return true;
    }

    /** Retries counted so far, over all units. */
    public int retries() {
        return retries.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The result of trial t's seed r at rung k, or null. */
    public Result result(int t, int k, int r) {
        Result[][] rs = results.get(t);
        return rs == null ? null : rs[k][r];
    }

    /** Whether all seeds of trial t have a result at rung k, or one of them ended the trial. */
    public boolean decided(int t, int k) {
        if (terminal(t) && !complete(t, k)) {
            return true;
        }
        return complete(t, k);
    }

    private boolean complete(int t, int k) {
        for (int r = 0; r < s.seedsPerTrial(); r++) {
            Result x = result(t, k, r);
            if (x == null || !x.isOk()) {
                return false;
            }
        }
        return true;
    }

    /** Whether some seed of trial t diverged or failed: it takes no further part. */
    public boolean terminal(int t) {
        Result[][] rs = results.get(t);
        if (rs == null) {
            return false;
        }
        for (Result[] row : rs) {
            for (Result x : row) {
                if (x != null && !x.isOk()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Mean validation accuracy of trial t over its seeds at rung k; NaN if not complete there. */
    public double score(int t, int k) {
        if (!complete(t, k)) {
            return Double.NaN;
        }
        double sum = 0;
        for (int r = 0; r < s.seedsPerTrial(); r++) {
            sum += result(t, k, r).accuracy();
        }
        return sum / s.seedsPerTrial();
    }

    /** Mean validation loss of trial t at rung k; NaN if not complete there. */
    public double loss(int t, int k) {
        if (!complete(t, k)) {
            return Double.NaN;
        }
        double sum = 0;
        for (int r = 0; r < s.seedsPerTrial(); r++) {
            sum += result(t, k, r).loss();
        }
        return sum / s.seedsPerTrial();
    }

    /** Sample standard deviation of trial t's accuracies at rung k over its seeds (0 for one seed; NaN if none). */
    public double spread(int t, int k) {
        double m = score(t, k);
        if (Double.isNaN(m) || s.seedsPerTrial() < 2) {
            return Double.isNaN(m) ? Double.NaN : 0;
        }
        double ss = 0;
        for (int r = 0; r < s.seedsPerTrial(); r++) {
            double d = result(t, k, r).accuracy() - m;
            ss += d * d;
        }
        return Math.sqrt(ss / (s.seedsPerTrial() - 1));
    }

    /** The highest rung at which trial t is complete, or -1. */
    public int topRung(int t) {
        for (int k = rungs.length - 1; k >= 0; k--) {
            if (complete(t, k)) {
                return k;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- ASHA

    private static final int NONE = -1;
    private static final int PENDING = -2;
    /** A decided group whose members all diverged or failed: a hole in the next rung. */
    private static final int EMPTY = -3;

    /** Rung k's m-th member (trial index), NONE when there is none, PENDING while its group has not decided. */
    private int member(int k, int m) {
        if (k == 0) {
            if (m >= trialCount()) {
                return NONE;
            }
            return values(m) == null ? PENDING : m;
        }
        return winner(k - 1, m);
    }

    /** The trial that rung k's group g promotes: NONE if it promotes nobody, PENDING if not decided yet. */
    private int winner(int k, int g) {
        long key = ((long) k << 32) | g;
        Integer known = winners.get(key);
        if (known != null) {
            return known;
        }
        int best = NONE;
        boolean pending = false;
        for (int j = 0; j < s.eta(); j++) {
            int t = member(k, g * s.eta() + j);
            if (t == NONE) {
                return NONE; // a partial trailing group promotes nobody (and is not final: --trials may grow)
            }
            if (t == EMPTY) {
                continue; // a hole: the group below promoted nobody
            }
            if (t == PENDING || !decided(t, k)) {
                pending = true;
                continue;
            }
            if (!terminal(t) || complete(t, k)) {
                if (best == NONE || better(t, best, k)) {
                    best = t;
                }
            }
        }
        if (pending) {
            return PENDING;
        }
        int w = best == NONE ? EMPTY : best;
        winners.put(key, w); // final: every member decided, and results never change
        return w;
    }

    /** Whether trial a ranks above trial b at rung k. */
    private boolean better(int a, int b, int k) {
        int c = Double.compare(score(a, k), score(b, k));
        if (c != 0) {
            return c > 0;
        }
        c = Double.compare(loss(b, k), loss(a, k));
        if (c != 0) {
            return c > 0;
        }
        return a < b;
    }

    /** Whether trial t has been promoted to rung k (every trial is at rung 0). */
    public boolean promoted(int t, int k) {
        if (k == 0) {
            return t < trialCount();
        }
        for (int m = 0; ; m++) {
            int x = member(k, m);
            if (x == NONE) {
                return false;
            }
            if (x == t) {
                return true;
            }
        }
    }

    // ---------------------------------------------------------------- state of trials

    /**
     * A trial's status: "pending", "running" (some unit in flight or ready), "completed" (all rungs), "stopped"
     * (ASHA did not promote it, or the search ended before its group decided), "diverged" or "failed".
     */
    public String status(int t, Set<Unit> inFlight, boolean searchOver) {
        Result[][] rs = results.get(t);
        if (rs != null) {
            for (Result[] row : rs) {
                for (Result x : row) {
                    if (x != null && !x.isOk()) {
                        return x.status();
                    }
                }
            }
        }
        if (complete(t, rungs.length - 1)) {
            return "completed";
        }
        for (Unit u : inFlight) {
            if (u.trial() == t) {
                return "running";
            }
        }
        int top = topRung(t);
        if (top < 0) {
            return searchOver ? "stopped" : "pending";
        }
        if (searchOver || (!promoted(t, top + 1) && groupDecided(t, top))) {
            return "stopped";
        }
        return "paused";
    }

    private boolean groupDecided(int t, int k) {
        for (int m = 0; ; m++) {
            int x = member(k, m);
            if (x == NONE) {
                return false;
            }
            if (x == t) {
                return winner(k, m / s.eta()) != PENDING;
            }
        }
    }

    /** Whether the search has nothing left to run (given nothing in flight). */
    public boolean finished(Set<Unit> inFlight) {
        return inFlight.isEmpty() && ready(inFlight, 1).isEmpty();
    }

    /** Trial indices ranked best first: highest rung reached, then mean accuracy, loss, index; unscored last. */
    public List<Integer> ranking() {
        List<Integer> ts = new ArrayList<>();
        for (int t = 0; t < trialCount(); t++) {
            if (topRung(t) >= 0) {
                ts.add(t);
            }
        }
        ts.sort((a, b) -> {
            int ka = topRung(a);
            int kb = topRung(b);
            if (ka != kb) {
                return Integer.compare(kb, ka);
            }
            return better(a, b, ka) ? -1 : better(b, a, ka) ? 1 : 0;
        });
        return ts;
    }

    /** Trials with a score at some rung or a final status (diverged, failed): the trials a search has done. */
    public int scoredTrials() {
        int n = 0;
        for (int t = 0; t < trialCount(); t++) {
            if (topRung(t) >= 0 || terminal(t)) {
                n++;
            }
        }
        return n;
    }

    /** Epochs trained so far over all units (each seed counted), and the budget of a full search without ASHA. */
    public long[] epochs() {
        long used = 0;
        for (Map.Entry<Integer, Result[][]> e : results.entrySet()) {
            for (int r = 0; r < s.seedsPerTrial(); r++) {
                int top = 0;
                for (int k = 0; k < rungs.length; k++) {
                    Result x = e.getValue()[k][r];
                    if (x != null && x.isOk()) {
                        top = rungs[k];
                    }
                }
                used += top;
            }
        }
        return new long[] {used, (long) trialCount() * s.seedsPerTrial() * s.maxEpochs()};
    }

    /** A short description, for logs. */
    public String describe() {
        return String.format(Locale.ROOT, "%s%s, %d trials × %d seed(s), rungs %s", s.asha() ? "asha over " : "",
                s.sampler().name().toLowerCase(Locale.ROOT), trialCount(), s.seedsPerTrial(), Arrays.toString(rungs));
    }
}

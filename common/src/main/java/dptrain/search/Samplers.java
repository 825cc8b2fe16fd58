package dptrain.search;

import dptrain.nn.layers.CounterRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.random.SobolSequenceGenerator;

/**
 * Points of the unit cube keyed by (search seed, trial index), never by arrival: trial i gets the same point on any
 * cluster. Random is the book's method; Sobol fills the cube more evenly (commons-math's generator, digitally
 * shifted by a seeded offset so that different seeds give different, equally even sets); grid walks every combination.
 */
public final class Samplers {
    private Samplers() {}

    /** Uniform random point for trial i. */
    public static double[] random(long seed, long trial, int d) {
        SplittableRandom r = rng(seed, trial, 0x5EA4C4L);
        double[] u = new double[d];
        for (int j = 0; j < d; j++) {
            u[j] = r.nextDouble();
        }
        return u;
    }

    /** A seeded generator for (seed, key, purpose). */
    public static SplittableRandom rng(long seed, long key, long purpose) {
        return new SplittableRandom(CounterRandom.mix(seed ^ CounterRandom.mix(purpose)) ^ CounterRandom.mix(key + 0x9E3779B97F4A7C15L));
    }

    /** The i-th point of the seed-shifted Sobol sequence. */
    public static double[] sobol(long seed, long trial, int d) {
        SobolSequenceGenerator g = new SobolSequenceGenerator(d);
        double[] x = g.skipTo((int) trial);
        double[] shift = random(seed, -1, d);
        double scale = 0x1p52;
        for (int j = 0; j < d; j++) {
            // A digital shift (XOR of the binary digits): unlike adding modulo 1, it keeps the net property, so
            // the first 2^m points still fill every elementary box of volume 2^-m.
            long bits = (long) (x[j] * scale) ^ (long) (shift[j] * scale);
            x[j] = bits / scale;
        }
        return x;
    }

    /** Every combination of each parameter's grid values (flag values in space order), the last varying fastest. */
    public static List<String[]> grid(SearchSpace space, int pointsPerDimension) {
        List<List<String>> axes = new ArrayList<>();
        long n = 1;
        for (Param p : space.params()) {
            List<String> g = p.grid(pointsPerDimension);
            axes.add(g);
            n *= g.size();
            if (n > 1_000_000) {
                throw new IllegalArgumentException("the grid has more than 1,000,000 points (lower --grid-points)");
            }
        }
        List<String[]> out = new ArrayList<>();
        int d = axes.size();
        for (long i = 0; i < n; i++) {
            String[] v = new String[d];
            long rest = i;
            for (int j = d - 1; j >= 0; j--) {
                List<String> g = axes.get(j);
                v[j] = g.get((int) (rest % g.size()));
                rest /= g.size();
            }
            out.add(v);
        }
        return out;
    }
}

package dptrain.nn.layers;

/** A counter-based generator: a uniform number is a pure function of a key and a counter (SplitMix64 finalizer). */
public final class CounterRandom {
    private CounterRandom() {}

    /** Mixes 64 bits thoroughly (the SplitMix64 output function). */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform float in [0, 1) for (key, counter). */
    public static float uniform(long key, long counter) {
        long z = mix(key + (counter + 1) * 0x9E3779B97F4A7C15L);
        return (z >>> 40) * 0x1.0p-24f;
    }
}

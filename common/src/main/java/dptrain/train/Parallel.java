package dptrain.train;

/**
 * Runs an element-wise job over [0, n) split into fixed contiguous ranges, possibly on several threads. Each
 * element is computed by exactly one range, so the result does not depend on how many threads there are.
 */
public interface Parallel {
    /** The body for one range. */
    @FunctionalInterface
    interface Range {
        /** Processes elements [from, to). */
        void run(int from, int to);
    }

    /** Runs body over [0, n); returns when every range is done. */
    void forRanges(int n, Range body);

    /** Everything on the calling thread. */
    Parallel SERIAL = (n, body) -> body.run(0, n);
}

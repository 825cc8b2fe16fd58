package dptrain.coordinator;

import dptrain.train.ShardPlan;
import java.util.List;

/**
 * Which live worker computes which shards of a step. Each shard goes to the worker that would finish it first, from
 * its measured time per sample and what it already holds this step (ties: fewer shards, then the lower id), so shards
 * shift away from a worker that is persistently slower. Where a shard is computed never changes its bits.
 */
final class ShardAssigner {
    private ShardAssigner() {}

    /**
     * Plans the given shards over the live workers (sorted by id); entry i lists the shards of live.get(i). When a
     * whole step is planned, a worker left without shards has its estimate pulled 30 % of the way toward the fastest
     * one: a worker measured once as slow (a cold JVM, a passing hiccup) would otherwise never be chosen again, and
     * its estimate could never improve.
     */
    static int[][] plan(List<JobBoard.Slot> live, int[] shards, int batchSize, int totalShards) {
        int n = live.size();
        if (n == 0) {
            throw new IllegalArgumentException("no live worker to assign shards to");
        }
        double known = 0;
        int nKnown = 0;
        double fastest = Double.MAX_VALUE;
        for (JobBoard.Slot s : live) {
            if (s.nanosPerSample > 0) {
                known += s.nanosPerSample;
                nKnown++;
                fastest = Math.min(fastest, s.nanosPerSample);
            }
        }
        double fallback = nKnown == 0 ? 1 : known / nKnown;
        double[] load = new double[n];
        int[] count = new int[n];
        int[] owner = new int[shards.length];
        for (int j = 0; j < shards.length; j++) {
            int k = shards[j];
            int size = ShardPlan.end(batchSize, totalShards, k) - ShardPlan.start(batchSize, totalShards, k);
            int best = 0;
            double bestFinish = Double.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                double rate = live.get(i).nanosPerSample > 0 ? live.get(i).nanosPerSample : fallback;
                double finish = load[i] + rate * size;
                if (finish < bestFinish - 1e-9 * bestFinish || (Math.abs(finish - bestFinish) <= 1e-9 * bestFinish
                        && count[i] < count[best])) {
                    best = i;
                    bestFinish = finish;
                }
            }
            load[best] = bestFinish;
            count[best]++;
            owner[j] = best;
        }
        int[][] given = new int[n][];
        for (int i = 0; i < n; i++) {
            given[i] = new int[count[i]];
            count[i] = 0;
        }
        for (int j = 0; j < shards.length; j++) {
            given[owner[j]][count[owner[j]]++] = shards[j];
        }
        if (shards.length == totalShards && fastest < Double.MAX_VALUE) {
            for (int i = 0; i < n; i++) {
                JobBoard.Slot s = live.get(i);
                if (given[i].length == 0 && s.nanosPerSample > 0) {
                    s.nanosPerSample = 0.7 * s.nanosPerSample + 0.3 * fastest;
                }
            }
        }
        return given;
    }
}

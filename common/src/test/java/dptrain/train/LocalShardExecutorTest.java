package dptrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dptrain.data.Dataset;
import dptrain.nn.Model;
import dptrain.nn.NetSpec;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Shards computed on several threads are the shards computed on one, step after step. */
class LocalShardExecutorTest {
    @Test
    void everyShardOfThousandsOfTinyStepsMatchesTheSingleThreadedOne() {
        // Tiny steps make the threads race: a helper late out of step t must not touch step t + 1.
        Model m = new Model(NetSpec.parse("in=8;affine(6);tanh;dropout(0.3);affine(4);loss=softmax;init=he"));
        Random r = new Random(9);
        int n = 64;
        float[] x = new float[n * 8];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        Dataset data = Dataset.of("tiny", x, r.ints(n, 0, 4).toArray(), new int[] {8}, 4);
        int batch = 12;
        int k = 3;
        float[] params = m.initialParams(4);
        float[] state = m.initialState();
        int steps = 60_000;
        float[][] kept = new float[steps * k][];
        double[] keptLoss = new double[steps * k];
        ShardResult[] res = results(m, k);
        int[] idx = new int[batch];
        // Back to back, three threads on two cores: a helper preempted between finishing step t and leaving its
        // loop must not take a shard of step t + 1.
        try (LocalShardExecutor multi = new LocalShardExecutor(m, 3, ShardPlan.maxShard(batch, k))) {
            for (int step = 0; step < steps; step++) {
                indices(idx, step, n);
                multi.computeShards(data, idx, batch, 1, step, params, state, res);
                for (int s = 0; s < k; s++) {
                    kept[step * k + s] = res[s].grads.clone();
                    keptLoss[step * k + s] = res[s].lossSum;
                }
            }
        }
        try (LocalShardExecutor single = new LocalShardExecutor(m, 1, ShardPlan.maxShard(batch, k))) {
            for (int step = 0; step < steps; step++) {
                indices(idx, step, n);
                single.computeShards(data, idx, batch, 1, step, params, state, res);
                for (int s = 0; s < k; s++) {
                    assertArrayEquals(res[s].grads, kept[step * k + s], "step " + step + " shard " + s);
                    assertEquals(res[s].lossSum, keptLoss[step * k + s], "step " + step + " shard " + s);
                }
            }
        }
    }

    @Test
    void parallelForCoversEveryElementOnceBetweenShardJobs() {
        Model m = new Model(NetSpec.parse("in=8;affine(4);loss=softmax;init=he"));
        try (LocalShardExecutor ex = new LocalShardExecutor(m, 3, 4)) {
            for (int n : new int[] {0, 1, 1000, ComputePool.MIN_PARALLEL_ELEMENTS, 100_003}) {
                for (int rep = 0; rep < 200; rep++) {
                    int[] hits = new int[n];
                    ex.pool().forRanges(n, (from, to) -> {
                        for (int i = from; i < to; i++) {
                            hits[i]++;
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, hits[i], "n=" + n + " element " + i);
                    }
                }
            }
        }
    }

    private static void indices(int[] idx, int step, int n) {
        for (int i = 0; i < idx.length; i++) {
            idx[i] = (step * 7 + i * 5) % n;
        }
    }

    private static ShardResult[] results(Model m, int k) {
        ShardResult[] r = new ShardResult[k];
        for (int i = 0; i < k; i++) {
            r[i] = new ShardResult(m.paramCount(), m.stateCount());
        }
        return r;
    }
}

package dptrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dptrain.data.Dataset;
import dptrain.nn.Model;
import dptrain.nn.NetSpec;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Evaluation gives the same bits on its own pool of any size and on a shared pool, for partial last chunks too. */
class EvaluatorTest {
    @Test
    void sameScoreForAnyPool() {
        Model m = new Model(NetSpec.parse("in=8;affine(16);relu;affine(4);loss=softmax;init=he"));
        int n = 3 * Evaluator.CHUNK + 17;
        SplittableRandom rng = new SplittableRandom(5);
        float[] x = new float[n * 8];
        int[] labels = new int[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(4);
        }
        Dataset d = Dataset.of("t", x, labels, new int[] {8}, 4);
        float[] params = m.initialParams(3);
        float[] state = m.initialState();
        Evaluator.Score one;
        try (Evaluator e = new Evaluator(m, 1)) {
            one = e.score(params, state, d, 0);
        }
        assertEquals(n, one.samples());
        try (Evaluator e = new Evaluator(m, 3)) {
            for (int rep = 0; rep < 3; rep++) {
                assertEquals(one, e.score(params, state, d, 0), "3 threads, repeat " + rep);
            }
            assertEquals(Evaluator.CHUNK + 1, e.score(params, state, d, Evaluator.CHUNK + 1).samples());
        }
        try (ComputePool shared = new ComputePool(2, "test-shared", ComputePool.SPIN_NANOS);
             Evaluator e = new Evaluator(m, shared)) {
            assertEquals(one, e.score(params, state, d, 0), "shared pool");
            e.close();
            shared.run(1, (task, lane) -> { }); // the evaluator did not close a pool it does not own
        }
    }
}

package dptrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dptrain.nn.Model;
import dptrain.nn.NetSpec;
import dptrain.nn.optim.Optimizers;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A step applied range by range, as the cluster's coordinator does while gradients stream in (last layer first, in
 * uneven pieces), gives the bits of the whole-vector update: parameters, batch-norm state, optimizer state and loss.
 */
class ParameterServerTest {
    @Test
    void rangeByRangeIsBitIdenticalToWhole() {
        Model m = new Model(NetSpec.parse("in=20;affine(30);batchnorm;relu;affine(10);loss=softmax;init=he"));
        for (String opt : new String[] {"sgd", "momentum", "adam", "rmsprop"}) {
            ParameterServer whole = server(m, opt);
            ParameterServer pieces = server(m, opt);
            SplittableRandom rng = new SplittableRandom(7);
            for (int step = 0; step < 4; step++) {
                ShardResult[] r = results(m, 3, rng);
                double a = whole.apply(r, 24, 0.01f);
                pieces.begin(r, 24, 0.01f);
                int n = m.paramCount();
                int hi = n;
                while (hi > 0) { // descending ranges of uneven length, as chunks come
                    int lo = Math.max(0, hi - 1 - rng.nextInt(n / 3));
                    pieces.applyRange(lo, hi);
                    hi = lo;
                }
                double b = pieces.finish();
                assertEquals(a, b, opt + " loss at step " + step);
                assertArrayEquals(whole.params(), pieces.params(), opt + " params at step " + step);
                assertArrayEquals(whole.state(), pieces.state(), opt + " state at step " + step);
                for (int i = 0; i < whole.optimizer().state().size(); i++) {
                    assertArrayEquals(whole.optimizer().state().get(i), pieces.optimizer().state().get(i), opt);
                }
            }
        }
    }

    private static ParameterServer server(Model m, String opt) {
        return new ParameterServer(m, m.initialParams(3), m.initialState(), Optimizers.create(opt), 0.01f);
    }

    private static ShardResult[] results(Model m, int k, SplittableRandom rng) {
        ShardResult[] r = new ShardResult[k];
        for (int s = 0; s < k; s++) {
            r[s] = new ShardResult(m.paramCount(), m.stateCount());
            for (int i = 0; i < r[s].grads.length; i++) {
                r[s].grads[i] = (float) rng.nextGaussian();
            }
            for (int i = 0; i < r[s].batchStats.length; i++) {
                r[s].batchStats[i] = (float) rng.nextDouble();
            }
            r[s].lossSum = rng.nextDouble() * 10;
        }
        return r;
    }
}

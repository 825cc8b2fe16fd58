package dptrain.nn.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dptrain.nn.ForwardContext;
import dptrain.nn.ParamStore;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Max pooling without padding (the book's networks tile the input; overlapping windows too) against a direct definition, bit for bit: the window maximum, and the
 * gradient routed to the first maximal input in window order (0 + d, so never -0.0), zero elsewhere. Inputs are drawn
 * from a few levels, with +0.0 and -0.0, so ties are everywhere.
 */
class PoolingTest {
    @ParameterizedTest
    @CsvSource({"8,8,3,2,2", "7,9,2,2,2", "9,9,4,3,3", "6,6,1,3,3", "9,8,3,3,2", "7,7,2,2,1", "24,24,30,2,2"})
    void maxPoolIsTheDefinitionBitForBit(int h, int w, int c, int size, int stride) {
        int oh = (h - size) / stride + 1;
        int ow = (w - size) / stride + 1;
        int n = 3;
        ParamStore store = new ParamStore(new float[0], new float[0], new float[0], new float[0]);
        Pooling p = new Pooling(new LayerSetup(new int[] {h, w, c}, new int[] {oh, ow, c}, n, store, 0, 0, true),
                true, size, stride, 0);
        Random r = new Random(h * 31 + w * 7 + c + size);
        float[] levels = {-1.5f, -0.0f, 0.0f, 0.25f, 2f};
        float[] x = new float[n * h * w * c];
        for (int i = 0; i < x.length; i++) {
            x[i] = levels[r.nextInt(levels.length)];
        }
        float[] dout = new float[n * oh * ow * c];
        for (int i = 0; i < dout.length; i++) {
            dout[i] = r.nextInt(4) == 0 ? -0.0f : (float) r.nextGaussian();
        }
        float[] out = p.forward(x, n, ForwardContext.inference()).clone();
        float[] dx = p.backward(dout, n).clone();

        float[] wantOut = new float[out.length];
        float[] wantDx = new float[x.length];
        for (int s = 0; s < n; s++) {
            for (int y = 0; y < oh; y++) {
                for (int xo = 0; xo < ow; xo++) {
                    for (int ch = 0; ch < c; ch++) {
                        int best = -1;
                        for (int fy = 0; fy < size; fy++) {
                            for (int fx = 0; fx < size; fx++) {
                                int i = ((s * h + y * stride + fy) * w + xo * stride + fx) * c + ch;
                                if (best < 0 || x[i] > x[best]) {
                                    best = i;
                                }
                            }
                        }
                        int o = ((s * oh + y) * ow + xo) * c + ch;
                        float m = x[best];
                        for (int fy = 0; fy < size; fy++) {
                            for (int fx = 0; fx < size; fx++) {
                                m = Math.max(m, x[((s * h + y * stride + fy) * w + xo * stride + fx) * c + ch]);
                            }
                        }
                        wantOut[o] = m;
                        wantDx[best] += dout[o]; // 0 + d first: never -0.0; overlapping windows add up
                    }
                }
            }
        }
        for (int i = 0; i < out.length; i++) {
            assertEquals(Float.floatToRawIntBits(wantOut[i]), Float.floatToRawIntBits(out[i]), "output " + i);
        }
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(wantDx[i]), Float.floatToRawIntBits(dx[i]), "input gradient " + i);
        }
    }
}

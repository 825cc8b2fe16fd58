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
            int pick = r.nextInt(40);
            dout[i] = pick < 10 ? -0.0f : pick == 10 ? Float.NaN : (float) r.nextGaussian();
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

    /**
     * A max pool that applies the ReLU after it gives the bits of the pool followed by the Relu layer, values and
     * input gradients, on the 2×2/stride-2 windows it runs in one integer pass and on others; with NaNs among the
     * inputs (both signs; the integer pass must hand those batches to the float loop), the outputs are NaN where the
     * pool-then-ReLU ones are.
     */
    @ParameterizedTest
    @CsvSource({"24,24,30,2,2,false", "8,8,3,2,2,false", "7,9,2,2,2,false", "9,9,4,3,3,false", "7,7,2,2,1,false",
        "24,24,30,2,2,true", "8,8,3,2,2,true", "9,9,4,3,3,true", "8,7,3,2,2,true"})
    void maxPoolWithReluIsPoolThenReluBitForBit(int h, int w, int c, int size, int stride, boolean nans) {
        int oh = (h - size) / stride + 1;
        int ow = (w - size) / stride + 1;
        int n = 3;
        ParamStore store = new ParamStore(new float[0], new float[0], new float[0], new float[0]);
        int[] in = {h, w, c};
        int[] pooled = {oh, ow, c};
        Pooling fused = new Pooling(new LayerSetup(in, pooled, n, store, 0, 0, true), true, size, stride, 0, true);
        Pooling pool = new Pooling(new LayerSetup(in, pooled, n, store, 0, 0, true), true, size, stride, 0);
        Relu relu = new Relu(new LayerSetup(pooled, pooled, n, store, 0, 0, true));
        Random r = new Random(h * 131 + w * 17 + c + size + (nans ? 1 : 0));
        float[] levels = {-1.5f, -0.0f, 0.0f, 0.25f, 2f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY};
        float[] x = new float[n * h * w * c];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(3) == 0 ? (float) r.nextGaussian() : levels[r.nextInt(levels.length)];
        }
        if (nans) {
            x[r.nextInt(x.length)] = Float.NaN;
            x[r.nextInt(x.length)] = Float.intBitsToFloat(0xffc00000); // the NaN x86 makes of inf - inf
            x[r.nextInt(x.length)] = Float.intBitsToFloat(0xff800001);
        }
        float[] dout = new float[n * oh * ow * c];
        for (int i = 0; i < dout.length; i++) {
            int pick = r.nextInt(40);
            dout[i] = pick < 10 ? -0.0f : pick == 10 ? Float.NaN : (float) r.nextGaussian();
        }
        ForwardContext ctx = ForwardContext.inference();
        float[] want = relu.forward(pool.forward(x, n, ctx), n, ctx).clone();
        float[] wantDx = pool.backward(relu.backward(dout, n), n).clone();
        float[] got = fused.forward(x, n, ctx).clone();
        float[] gotDx = fused.backward(dout, n).clone();
        int nanOut = 0;
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]), "output " + i);
            nanOut += Float.isNaN(want[i]) ? 1 : 0;
        }
        assertEquals(nans, nanOut > 0, "NaN outputs");
        for (int i = 0; i < wantDx.length; i++) {
            assertEquals(Float.floatToIntBits(wantDx[i]), Float.floatToIntBits(gotDx[i]), "input gradient " + i);
        }
    }
}

package dptrain.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dptrain.nn.ForwardContext;
import dptrain.nn.ParamStore;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Local response normalization: forward values worked out by hand, the backward pass against central differences of
 * the definition in double, and a sample's bits independent of the batch it comes in.
 */
class LocalResponseNormTest {
    private static final ParamStore NO_PARAMS = new ParamStore(new float[0], new float[0], new float[0], new float[0]);

    private static LocalResponseNorm layer(int[] shape, int maxBatch, int size, float k, float alpha, float beta) {
        return new LocalResponseNorm(new LayerSetup(shape, shape, maxBatch, NO_PARAMS, 0, 0, true), size, k, alpha, beta);
    }

    /**
     * AlexNet's constants on one position of channels 1..5: d_0 = 2 + 1e-4/5·(1 + 4 + 9) = 2.00028 and
     * b_0 = 1/2.00028^0.75 = 0.59454113; the others likewise (windows of 1+4+9+16 = 30, 55, 54 and 50).
     */
    @Test
    void alexNetConstantsByHand() {
        LocalResponseNorm l = layer(new int[] {1, 1, 5}, 1, 5, 2f, 1e-4f, 0.75f);
        float[] out = l.forward(new float[] {1, 2, 3, 4, 5}, 1, ForwardContext.inference());
        double[] want = {0.5945411317749297, 1.1889396136200807, 1.7830752045375236, 2.377451427156403,
                2.971903393373766};
        for (int c = 0; c < 5; c++) {
            assertEquals(want[c], out[c], 2e-7 * want[c], "channel " + c);
        }
    }

    /**
     * Window 3, k = 1, α = 3 (α/n = 1), β = 0.5 over a = (1, 2, 2): b = (1/√6, 2/√10, 2/3). Backward from g = (1, 0, 0),
     * only b_0 = a_0/√(1 + a_0² + a_1²) matters: ∂b_0/∂a_0 = 1/√6 − 1/(6√6) = 5/(6√6), ∂b_0/∂a_1 = −2/(6√6), and a_2
     * is outside b_0's window.
     */
    @Test
    void smallWindowByHand() {
        LocalResponseNorm l = layer(new int[] {3}, 1, 3, 1f, 3f, 0.5f);
        float[] out = l.forward(new float[] {1, 2, 2}, 1, ForwardContext.inference());
        assertArrayEquals(new float[] {(float) (1 / Math.sqrt(6)), (float) (2 / Math.sqrt(10)), 2f / 3f}, out, 1e-7f);
        float[] dx = l.backward(new float[] {1, 0, 0}, 1);
        double r6 = Math.sqrt(6);
        assertArrayEquals(new float[] {(float) (5 / (6 * r6)), (float) (-2 / (6 * r6)), 0f}, dx, 1e-7f);
    }

    /**
     * The analytic backward pass against central differences of L = Σ w·b, b from the definition in double (h = 1e-6),
     * for AlexNet's constants, a strong normalization, an even window (reaching one channel further below) and a
     * window of one channel; the layer's float forward against the same definition.
     */
    @ParameterizedTest
    @CsvSource({"5, 2, 1e-4, 0.75", "5, 1, 2, 0.75", "4, 0.5, 1, 0.6", "1, 1, 3, 0.75", "3, 2, 4, 1.5"})
    void backwardMatchesNumericalDifferences(int size, float k, float alpha, float beta) {
        int[] shape = {3, 2, 7};
        int per = 3 * 2 * 7;
        int n = 2;
        LocalResponseNorm l = layer(shape, 3, size, k, alpha, beta);
        Random r = new Random(size * 31L + (long) (alpha * 7));
        float[] x = new float[n * per];
        float[] w = new float[n * per];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
            w[i] = (float) r.nextGaussian();
        }
        float[] out = l.forward(x, n, new ForwardContext().training(1, 1, 0)).clone();
        float[] dx = l.backward(w, n).clone();
        double[] a = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            a[i] = x[i];
        }
        double[] b = reference(a, 7, size, k, alpha, beta);
        for (int i = 0; i < x.length; i++) {
            assertEquals(b[i], out[i], 1e-6 * Math.max(1, Math.abs(b[i])), "output " + i);
        }
        double h = 1e-6;
        for (int i = 0; i < x.length; i++) {
            double old = a[i];
            a[i] = old + h;
            double plus = dot(w, reference(a, 7, size, k, alpha, beta));
            a[i] = old - h;
            double minus = dot(w, reference(a, 7, size, k, alpha, beta));
            a[i] = old;
            double num = (plus - minus) / (2 * h);
            assertEquals(num, dx[i], 1e-5 + 1e-4 * Math.abs(num), "input gradient " + i);
        }
    }

    /** A sample's output and input gradient are the same bits alone, in a batch, and after a larger batch. */
    @Test
    void eachSampleOnItsOwn() {
        int[] shape = {4, 4, 6};
        int per = 4 * 4 * 6;
        LocalResponseNorm l = layer(shape, 3, 5, 2f, 1e-4f, 0.75f);
        Random r = new Random(5);
        float[] x = new float[3 * per];
        float[] g = new float[3 * per];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (3 * r.nextGaussian());
            g[i] = (float) r.nextGaussian();
        }
        float[] out = l.forward(x, 3, ForwardContext.inference()).clone();
        float[] dx = l.backward(g, 3).clone();
        for (int s = 2; s >= 0; s--) {
            float[] xs = Arrays.copyOfRange(x, s * per, (s + 1) * per);
            float[] os = Arrays.copyOf(l.forward(xs, 1, ForwardContext.inference()), per);
            float[] ds = Arrays.copyOf(l.backward(Arrays.copyOfRange(g, s * per, (s + 1) * per), 1), per);
            for (int i = 0; i < per; i++) {
                assertEquals(Float.floatToRawIntBits(out[s * per + i]), Float.floatToRawIntBits(os[i]), "sample " + s);
                assertEquals(Float.floatToRawIntBits(dx[s * per + i]), Float.floatToRawIntBits(ds[i]), "sample " + s);
            }
        }
    }

    /** The definition: b_c = a_c / (k + α/n·Σ a²)^β over channels [c − ⌊n/2⌋, c + ⌊(n−1)/2⌋], channels last. */
    private static double[] reference(double[] a, int channels, int size, float k, float alpha, float beta) {
        double[] b = new double[a.length];
        for (int base = 0; base < a.length; base += channels) {
            for (int c = 0; c < channels; c++) {
                double sum = 0;
                for (int j = c - size / 2; j <= c + (size - 1) / 2; j++) {
                    if (j >= 0 && j < channels) {
                        sum += a[base + j] * a[base + j];
                    }
                }
                b[base + c] = a[base + c] / Math.pow(k + (double) alpha / size * sum, beta);
            }
        }
        return b;
    }

    private static double dot(float[] w, double[] b) {
        double s = 0;
        for (int i = 0; i < b.length; i++) {
            s += w[i] * b[i];
        }
        return s;
    }
}

package dptrain.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Im2ColTest {
    @Test
    void im2colMatchesDirectIndexingAndCol2imIsItsAdjoint() {
        Random r = new Random(3);
        // h, w, c, filter, stride, pad. Filter rows of FW·C < 16 floats are gathered tap by tap, longer ones copied
        // as runs: both kinds, with pads that leave whole rows and columns of a patch outside the image.
        int[][] cases = {{5, 5, 1, 3, 1, 0}, {6, 7, 2, 3, 2, 1}, {4, 4, 3, 2, 2, 0}, {7, 5, 2, 5, 1, 2},
            {28, 28, 1, 5, 1, 0}, {12, 12, 1, 3, 1, 1}, {10, 11, 1, 4, 3, 2}, {6, 6, 3, 5, 2, 2}, {3, 3, 1, 3, 1, 2},
            {9, 9, 8, 3, 1, 1}, {8, 8, 16, 3, 2, 1}, {5, 6, 4, 4, 3, 3}};
        for (int[] cs : cases) {
            int h = cs[0];
            int w = cs[1];
            int c = cs[2];
            int f = cs[3];
            int stride = cs[4];
            int pad = cs[5];
            int n = 2;
            Im2Col g = new Im2Col(h, w, c, f, f, stride, pad);
            float[] x = new float[n * h * w * c];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            int rows = n * g.outPositions();
            float[] col = new float[rows * g.patchSize()];
            g.im2col(x, n, col);
            int row = 0;
            for (int s = 0; s < n; s++) {
                for (int oy = 0; oy < g.outHeight(); oy++) {
                    for (int ox = 0; ox < g.outWidth(); ox++, row++) {
                        int j = 0;
                        for (int ky = 0; ky < f; ky++) {
                            for (int kx = 0; kx < f; kx++) {
                                for (int ch = 0; ch < c; ch++, j++) {
                                    int iy = oy * stride - pad + ky;
                                    int ix = ox * stride - pad + kx;
                                    float v = iy < 0 || iy >= h || ix < 0 || ix >= w ? 0f
                                            : x[((s * h + iy) * w + ix) * c + ch];
                                    assertEquals(v, col[row * g.patchSize() + j], java.util.Arrays.toString(cs));
                                }
                            }
                        }
                    }
                }
            }
            // Into rows one float longer (the convolution's column of ones): the same patch values, and the extra
            // column left as it was.
            int ld = g.patchSize() + 1;
            float[] wide = new float[rows * ld];
            java.util.Arrays.fill(wide, 7f);
            g.im2col(x, n, wide, ld);
            for (int q = 0; q < rows; q++) {
                for (int j = 0; j < g.patchSize(); j++) {
                    assertEquals(col[q * g.patchSize() + j], wide[q * ld + j], java.util.Arrays.toString(cs));
                }
                assertEquals(7f, wide[q * ld + g.patchSize()], java.util.Arrays.toString(cs));
            }
            // The run-by-run form (public for benchmarks) gives the same bits, short filter rows included.
            float[] byRun = new float[rows * ld];
            java.util.Arrays.fill(byRun, 7f);
            g.im2colByRun(x, n, byRun, ld);
            for (int i = 0; i < byRun.length; i++) {
                assertEquals(Float.floatToRawIntBits(wide[i]), Float.floatToRawIntBits(byRun[i]),
                        java.util.Arrays.toString(cs) + " at " + i);
            }
            // <im2col(x), y> == <x, col2im(y)>
            float[] y = new float[col.length];
            for (int i = 0; i < y.length; i++) {
                y[i] = (float) r.nextGaussian();
            }
            float[] back = new float[x.length];
            g.col2im(y, n, back);
            double lhs = 0;
            double rhs = 0;
            for (int i = 0; i < col.length; i++) {
                lhs += (double) col[i] * y[i];
            }
            for (int i = 0; i < x.length; i++) {
                rhs += (double) x[i] * back[i];
            }
            assertEquals(lhs, rhs, 1e-3 * Math.max(1, Math.abs(lhs)), java.util.Arrays.toString(cs));
        }
    }
}

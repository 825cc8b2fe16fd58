package dptrain.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BlasTest {
    @Test
    void nativeOpenBlasIsLoaded() {
        assertTrue(Blas.isNative(), "expected the shipped OpenBLAS, got: " + Blas.description());
    }

    @Test
    void gemmMatchesNaiveForEveryTransposeAndOffset() {
        Random r = new Random(5);
        int m = 7;
        int n = 5;
        int k = 9;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                int aOff = 3;
                int bOff = 2;
                int cOff = 4;
                int lda = ta ? m + 1 : k + 2;   // padded rows: strides larger than the logical width
                int ldb = tb ? k + 3 : n + 1;
                int ldc = n + 2;
                float[] a = rand(r, aOff + (ta ? k : m) * lda);
                float[] b = rand(r, bOff + (tb ? n : k) * ldb);
                float[] c = rand(r, cOff + m * ldc);
                float[] expected = c.clone();
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int p = 0; p < k; p++) {
                            float av = ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                            float bv = tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                            s += av * bv;
                        }
                        expected[cOff + i * ldc + j] = (float) (1.5 * s + 0.5 * c[cOff + i * ldc + j]);
                    }
                }
                Blas.gemm(ta, tb, m, n, k, 1.5f, a, aOff, lda, b, bOff, ldb, 0.5f, c, cOff, ldc);
                for (int i = 0; i < c.length; i++) {
                    assertEquals(expected[i], c[i], 1e-4f, "transA=" + ta + " transB=" + tb + " at " + i);
                }
            }
        }
    }

    private static float[] rand(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }
}

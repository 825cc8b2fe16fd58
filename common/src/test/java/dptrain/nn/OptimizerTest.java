package dptrain.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.nn.optim.LrSchedule;
import dptrain.nn.optim.Optimizer;
import dptrain.nn.optim.Optimizers;
import org.junit.jupiter.api.Test;

/** Two steps of each optimizer against the book's formulas, written out in double precision. */
class OptimizerTest {
    private static final float LR = 0.1f;
    private static final float[] G1 = {0.5f, -1f, 2f};
    private static final float[] G2 = {-0.25f, 0.5f, 1f};

    private static float[] run(String name) {
        Optimizer o = Optimizers.create(name);
        float[] p = {1f, 2f, -3f};
        o.update(p, G1, LR);
        o.update(p, G2, LR);
        assertEquals(2, o.steps());
        return p;
    }

    @Test
    void sgd() {
        double[] e = new double[3];
        double[] p0 = {1, 2, -3};
        for (int i = 0; i < 3; i++) {
            e[i] = p0[i] - LR * G1[i] - LR * G2[i];
        }
        assertClose(e, run("sgd"));
    }

    @Test
    void momentum() {
        double[] p = {1, 2, -3};
        double[] v = new double[3];
        for (float[] g : new float[][] {G1, G2}) {
            for (int i = 0; i < 3; i++) {
                v[i] = 0.9 * v[i] - LR * g[i];
                p[i] += v[i];
            }
        }
        assertClose(p, run("momentum"));
    }

    @Test
    void nesterov() {
        double[] p = {1, 2, -3};
        double[] v = new double[3];
        for (float[] g : new float[][] {G1, G2}) {
            for (int i = 0; i < 3; i++) {
                v[i] = 0.9 * v[i] - LR * g[i];
                p[i] += 0.81 * v[i] - 1.9 * LR * g[i];
            }
        }
        assertClose(p, run("nesterov"));
    }

    @Test
    void adagrad() {
        double[] p = {1, 2, -3};
        double[] h = new double[3];
        for (float[] g : new float[][] {G1, G2}) {
            for (int i = 0; i < 3; i++) {
                h[i] += g[i] * g[i];
                p[i] -= LR * g[i] / (Math.sqrt(h[i]) + 1e-7);
            }
        }
        assertClose(p, run("adagrad"));
    }

    @Test
    void rmsprop() {
        double[] p = {1, 2, -3};
        double[] h = new double[3];
        for (float[] g : new float[][] {G1, G2}) {
            for (int i = 0; i < 3; i++) {
                h[i] = 0.99 * h[i] + 0.01 * g[i] * g[i];
                p[i] -= LR * g[i] / (Math.sqrt(h[i]) + 1e-7);
            }
        }
        assertClose(p, run("rmsprop"));
    }

    @Test
    void adamWithBiasCorrection() {
        double[] p = {1, 2, -3};
        double[] m = new double[3];
        double[] v = new double[3];
        int t = 0;
        for (float[] g : new float[][] {G1, G2}) {
            t++;
            double lrT = LR * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
            for (int i = 0; i < 3; i++) {
                m[i] += 0.1 * (g[i] - m[i]);
                v[i] += 0.001 * (g[i] * g[i] - v[i]);
                p[i] -= lrT * m[i] / (Math.sqrt(v[i]) + 1e-7);
            }
        }
        assertClose(p, run("adam"));
        // With bias correction the first Adam step moves a parameter by lr, whatever the gradient's scale.
        for (float g : new float[] {0.5f, 300f}) {
            Optimizer o = Optimizers.create("adam");
            float[] q = {0f};
            o.update(q, new float[] {g}, LR);
            assertEquals(-LR, q[0], 1e-5);
        }
    }

    @Test
    void stateRestoresExactly() {
        Optimizer a = Optimizers.create("adam");
        float[] p = {1f, 2f, -3f};
        a.update(p, G1, LR);
        Optimizer b = Optimizers.create("adam");
        b.restore(a.steps(), a.state());
        float[] q = p.clone();
        a.update(p, G2, LR);
        b.update(q, G2, LR);
        assertArrayEquals(p, q);
    }

    /**
     * A dead unit's state decays toward zero once its gradient stops. It must get there without ever holding a
     * subnormal float (each operation on one costs a microcode assist), with the same bits however the update is
     * split into ranges, and the parameters must end with the bits of the plain formulas, which let the state sink
     * through the subnormals.
     */
    @Test
    void decayingStateReachesZeroWithoutSubnormals() {
        int n = 64;
        for (String name : new String[] {"momentum", "nesterov", "rmsprop", "adam"}) {
            Optimizer whole = Optimizers.create(name);
            Optimizer split = Optimizers.create(name);
            float[] p = new float[n];
            float[] g = new float[n];
            for (int i = 0; i < n; i++) {
                p[i] = 0.01f * (i + 1);
                g[i] = (i % 3 - 1) * 0.003f * (i + 1);
            }
            float[] q = p.clone();
            float[] plain = p.clone();
            float[] s0 = new float[n];
            float[] s1 = new float[n];
            float[] zero = new float[n];
            int steps = name.equals("rmsprop") ? 10_000 : 1_500;
            boolean sankPlain = false;
            for (int t = 1; t <= steps; t++) {
                float[] gt = t <= 3 ? g : zero;
                whole.update(p, gt, LR);
                split.beginStep(n);
                split.update(q, gt, LR, 0, 23);
                split.update(q, gt, LR, 23, n);
                plainStep(name, t, plain, gt, s0, s1);
                for (float[] b : whole.state()) {
                    for (float v : b) {
                        assertTrue(v == 0f || Math.abs(v) >= Float.MIN_NORMAL, name + ": state " + v + " at step " + t);
                    }
                }
                for (float v : s0) {
                    sankPlain |= v != 0f && Math.abs(v) < Float.MIN_NORMAL;
                }
            }
            assertTrue(sankPlain, name + ": the plain formulas' state never became subnormal; the test proves nothing");
            assertArrayEquals(p, q, name + ": the update split into two ranges");
            assertArrayEquals(plain, p, name + ": parameters against the plain formulas");
            assertArrayEquals(new float[n], whole.state().get(0), name + ": the decayed state");
        }
    }

    /** One step of the book's formulas with the defaults of {@link Optimizers#create(String)}, in float. */
    private static void plainStep(String name, int t, float[] p, float[] g, float[] s0, float[] s1) {
        float m = 0.9f;
        float rho = 0.99f;
        float b1 = 0.9f;
        float b2 = 0.999f;
        float eps = 1e-7f;
        float lrT = (float) (LR * StrictMath.sqrt(1.0 - StrictMath.pow(b2, t)) / (1.0 - StrictMath.pow(b1, t)));
        for (int i = 0; i < p.length; i++) {
            switch (name) {
                case "momentum" -> {
                    s0[i] = m * s0[i] - LR * g[i];
                    p[i] += s0[i];
                }
                case "nesterov" -> {
                    s0[i] = m * s0[i] - LR * g[i];
                    p[i] += m * m * s0[i] - (1 + m) * LR * g[i];
                }
                case "rmsprop" -> {
                    s0[i] = rho * s0[i] + (1 - rho) * g[i] * g[i];
                    p[i] -= LR * g[i] / ((float) Math.sqrt(s0[i]) + eps);
                }
                default -> {
                    s0[i] += (1 - b1) * (g[i] - s0[i]);
                    s1[i] += (1 - b2) * (g[i] * g[i] - s1[i]);
                    p[i] -= lrT * s0[i] / ((float) Math.sqrt(s1[i]) + eps);
                }
            }
        }
    }

    /**
     * Adadelta against three steps worked out by hand (in double, from Zeiler's formulas with ρ = 0.95, ε = 1e-6,
     * lr = 1, p = 1, gradients 0.5, 0.5, −0.25): p 0.99552804, 0.99099912, 0.99365915; E[g²] after the last 0.02628125.
     * A checkpoint's state taken after two steps continues to the same third step.
     */
    @Test
    void adadeltaFollowsTheHandComputedSteps() {
        Optimizer o = Optimizers.create("adadelta");
        float[] p = {1f};
        double[] expected = {0.9955280429197062, 0.9909991182590161, 0.9936591535383843};
        float[] grads = {0.5f, 0.5f, -0.25f};
        Optimizer restored = null;
        float[] q = null;
        for (int t = 0; t < 3; t++) {
            if (t == 2) {
                restored = Optimizers.create("adadelta");
                java.util.List<float[]> copy = new java.util.ArrayList<>();
                for (float[] b : o.state()) {
                    copy.add(b.clone());
                }
                restored.restore(o.steps(), copy);
                q = p.clone();
            }
            o.update(p, new float[] {grads[t]}, 1f);
            assertEquals(expected[t], p[0], 1e-6, "step " + (t + 1));
        }
        assertEquals(0.02628125, o.state().get(0)[0], 1e-7, "E[g²]");
        assertEquals(2.2304972e-6, o.state().get(1)[0], 1e-11, "E[Δ²]");
        restored.update(q, new float[] {grads[2]}, 1f);
        assertEquals(p[0], q[0], 0f, "resumed from the state after step 2");
    }

    @Test
    void unknownOptimizerIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("sgdd"));
        assertTrue(e.getMessage().contains("sgdd") && e.getMessage().contains("adam"), e.getMessage());
    }

    @Test
    void schedules() {
        assertEquals(0.1f, new LrSchedule(LrSchedule.Kind.CONSTANT, 1, 1).at(0.1f, 500, 100, 1000), 0);
        LrSchedule step = new LrSchedule(LrSchedule.Kind.STEP, 0.5, 2);
        assertEquals(0.1f, step.at(0.1f, 199, 100, 1000), 1e-9);
        assertEquals(0.05f, step.at(0.1f, 200, 100, 1000), 1e-9);
        assertEquals(0.025f, step.at(0.1f, 400, 100, 1000), 1e-9);
        LrSchedule exp = new LrSchedule(LrSchedule.Kind.EXPONENTIAL, 0.9, 1);
        assertEquals(0.1 * 0.81, exp.at(0.1f, 200, 100, 1000), 1e-8);
        LrSchedule cos = new LrSchedule(LrSchedule.Kind.COSINE, 1, 1);
        assertEquals(0.1f, cos.at(0.1f, 0, 100, 1000), 1e-9);
        assertEquals(0.05f, cos.at(0.1f, 500, 100, 1000), 1e-7);
        assertEquals(0f, cos.at(0.1f, 1000, 100, 1000), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(LrSchedule.Kind.STEP, 1.5, 1));
    }

    private static void assertClose(double[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])), "index " + i);
        }
    }
}

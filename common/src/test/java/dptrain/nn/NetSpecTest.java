package dptrain.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NetSpecTest {
    @Test
    void textFormRoundTrips() {
        for (NetSpec s : new NetSpec[] {Nets.twoLayer(50, Init.std(0.01)), Nets.simpleConv(Init.he()),
                Nets.deepConv(Init.he()), Nets.multiLayer(new int[] {100, 100}, "tanh", Init.xavier(), true, 0.5f),
                Nets.lenet(Init.xavier()), Nets.alexnetSmall(Init.he())}) {
            assertEquals(s, NetSpec.parse(s.describe()));
            assertEquals(s.describe(), NetSpec.parse(s.describe()).describe());
        }
    }

    @Test
    void bookNetworksHaveTheBooksSizes() {
        assertEquals(784 * 50 + 50 + 50 * 10 + 10, new Model(Nets.twoLayer(50, Init.std(0.01))).paramCount());
        // SimpleConvNet: conv 30×1×5×5 + 30, affine 4320×100 + 100, affine 100×10 + 10.
        assertEquals(30 * 25 + 30 + 4320 * 100 + 100 + 1000 + 10, new Model(Nets.simpleConv(Init.std(0.01))).paramCount());
        // DeepConvNet ends its convolutions at 4×4×64 = 1024 features.
        Model deep = new Model(Nets.deepConv(Init.he()));
        int convs = (9 * 1 * 16 + 16) + (9 * 16 * 16 + 16) + (9 * 16 * 32 + 32) + (9 * 32 * 32 + 32)
                + (9 * 32 * 64 + 64) + (9 * 64 * 64 + 64);
        assertEquals(convs + 1024 * 50 + 50 + 50 * 10 + 10, deep.paramCount());
        // LeNet: conv 6×1×5×5 (padded: 28×28 stays), pool to 14×14, conv 16×6×5×5 to 10×10, pool to 5×5, 400 → 120 → 84 → 10
        Model lenet = new Model(Nets.lenet(Init.xavier()));
        assertEquals(6 * 25 + 6 + 16 * 6 * 25 + 16 + 400 * 120 + 120 + 120 * 84 + 84 + 84 * 10 + 10, lenet.paramCount());
        assertTrue(Nets.lenet(Init.xavier()).describe().contains("avgpool(2,2,0)"), Nets.lenet(Init.xavier()).describe());
        // alexnet-small: padded convs keep 28×28 (32 ch) and 14×14 (64 ch), then 7×7 (96, 96, 64), pooled to 3×3×64.
        Model alex = new Model(Nets.alexnetSmall(Init.he()));
        int alexConvs = (25 * 1 * 32 + 32) + (25 * 32 * 64 + 64) + (9 * 64 * 96 + 96) + (9 * 96 * 96 + 96)
                + (9 * 96 * 64 + 64);
        assertEquals(alexConvs + 576 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10, alex.paramCount());
        String alexText = Nets.alexnetSmall(Init.he()).describe();
        assertTrue(alexText.contains("relu;lrn(5,2.0,1.0E-4,0.75);maxpool(2,2,0)"), alexText);
    }

    @Test
    void badSpecsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NetSpec.parse("in=784;affine(0);loss=softmax"));
        assertTrue(e.getMessage().contains("affine(0)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NetSpec.parse("in=784;wobble;affine(10)"));
        assertTrue(e.getMessage().contains("wobble"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NetSpec.parse("in=784;conv(3,3,1,0);affine(10)"));
        assertTrue(e.getMessage().contains("image input"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NetSpec.parse("in=4x4x1;conv(3,5,1,0);affine(10)"));
        assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NetSpec.parse("in=4x4x2;lrn(5,0,1,0.75);affine(10)"));
        assertTrue(e.getMessage().contains("lrn(5,0,1,0.75)") && e.getMessage().contains("k > 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NetSpec.parse("in=4x4x2;lrn(5);affine(10)"));
        assertTrue(e.getMessage().contains("expected 4 arguments"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NetSpec.parse("in=784;affine(10);relu;batchnorm;maxpool(2,2,0)"));
        assertTrue(e.getMessage().contains("maxpool"), e.getMessage());
    }

    @Test
    void initScalesFollowTheBook() {
        assertEquals(0.01, Init.std(0.01).scale(784), 0);
        assertEquals(Math.sqrt(1.0 / 784), Init.xavier().scale(784), 1e-15);
        assertEquals(Math.sqrt(2.0 / 784), Init.he().scale(784), 1e-15);
        float[] p = new Model(Nets.twoLayer(50, Init.he())).initialParams(3);
        double sq = 0;
        for (int i = 0; i < 784 * 50; i++) {
            sq += p[i] * p[i];
        }
        assertEquals(Math.sqrt(2.0 / 784), Math.sqrt(sq / (784 * 50)), 0.002, "He std of the first weights");
        for (int i = 784 * 50; i < 784 * 50 + 50; i++) {
            assertEquals(0f, p[i], "biases start at zero");
        }
    }
}

package dptrain.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Backpropagation of every layer and every network of the book agrees with central differences. */
class GradientCheckTest {
    /** Absolute and relative tolerance per parameter (float32 forward passes). */
    private static final double ATOL = 5e-4;
    private static final double RTOL = 2e-2;

    static Stream<Arguments> nets() {
        return Stream.of(
                Arguments.of("affine+softmax", "in=6;affine(4);loss=softmax;init=std:0.5"),
                Arguments.of("relu", "in=6;affine(5);relu;affine(3);loss=softmax;init=std:0.5"),
                Arguments.of("sigmoid", "in=6;affine(5);sigmoid;affine(3);loss=softmax;init=std:0.5"),
                Arguments.of("tanh", "in=6;affine(5);tanh;affine(3);loss=softmax;init=std:0.5"),
                Arguments.of("sum-of-squares", "in=6;affine(5);tanh;affine(3);loss=squares;init=std:0.5"),
                Arguments.of("batchnorm-vector", "in=6;affine(5);batchnorm;tanh;affine(3);loss=softmax;init=std:0.5"),
                Arguments.of("dropout", "in=6;affine(8);tanh;dropout(0.3);affine(3);loss=softmax;init=std:0.5"),
                Arguments.of("conv", "in=6x6x2;conv(3,3,1,0);tanh;affine(3);loss=softmax;init=std:0.3"),
                Arguments.of("conv-stride-pad", "in=7x7x2;conv(3,3,2,1);tanh;affine(3);loss=softmax;init=std:0.3"),
                Arguments.of("conv-into-conv", "in=6x6x1;conv(2,3,1,1);tanh;conv(3,3,1,0);tanh;affine(3);"
                        + "loss=softmax;init=std:0.3"),
                // Max-pool fed by a 1×1 convolution: its windows hold independent values, so ±h flips no argmax.
                Arguments.of("maxpool", "in=6x6x2;conv(3,1,1,0);maxpool(2,2,0);affine(3);loss=softmax;init=std:0.3"),
                Arguments.of("maxpool-overlap-pad", "in=7x7x2;conv(2,1,1,0);tanh;maxpool(3,2,1);affine(3);"
                        + "loss=softmax;init=std:0.3"),
                Arguments.of("conv3x3-maxpool", "in=6x6x2;conv(3,3,1,1);tanh;maxpool(2,2,0);affine(3);"
                        + "loss=softmax;init=std:0.3"),
                Arguments.of("avgpool", "in=6x6x2;conv(3,3,1,1);tanh;avgpool(2,2,0);affine(3);loss=softmax;init=std:0.3"),
                Arguments.of("batchnorm-conv", "in=6x6x2;conv(3,3,1,1);batchnorm;tanh;affine(3);loss=softmax;init=std:0.3"),
                Arguments.of("flatten", "in=4x4x2;conv(2,3,1,0);flatten;tanh;affine(3);loss=softmax;init=std:0.3"),
                // LRN strong enough (α = 2, k = 1) that its cross-channel terms carry weight; and AlexNet's
                // constants behind ReLU, before a max pool fed by 1×1 convolutions, as alexnet-small uses it.
                Arguments.of("lrn", "in=4x4x2;conv(6,3,1,1);tanh;lrn(5,1,2,0.75);affine(3);loss=softmax;init=std:0.5"),
                Arguments.of("lrn-even-window", "in=4x4x2;conv(5,3,1,1);tanh;lrn(4,0.5,1,0.6);affine(3);"
                        + "loss=softmax;init=std:0.5"),
                Arguments.of("relu-lrn-maxpool", "in=6x6x2;conv(6,1,1,0);relu;lrn(5,2,1.0e-4,0.75);maxpool(2,2,0);"
                        + "affine(3);loss=softmax;init=std:0.5"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nets")
    void layerGradientsMatchNumerical(String name, String spec) {
        Model m = new Model(NetSpec.parse(spec));
        check(m, 4, null, 1, switching(spec) ? 0.02 : 0.0);
    }

    static Stream<Arguments> bookNets() {
        return Stream.of(
                Arguments.of("two-layer", Nets.twoLayer(10, Init.std(0.3)), 3, 300, 0.02),
                Arguments.of("multi-layer-extend", Nets.multiLayer(new int[] {12, 10}, "relu", Init.he(), true, 0.2f), 4, 300, 0.02),
                Arguments.of("multi-layer-sigmoid", Nets.multiLayer(new int[] {12}, "sigmoid", Init.xavier(), false, 0f), 3, 300, 0.0),
                Arguments.of("simple-cnn", Nets.simpleConv(Init.std(0.1)), 2, 300, 0.02),
                // Fifteen layers of ReLU and max-pool over noise: switching points are dense and float32 rounding
                // accumulates, so up to 5 % of sampled points may miss; a wrong backward pass misses nearly all.
                Arguments.of("deep-cnn", Nets.deepConv(Init.he()), 1, 150, 0.05),
                // As deep-cnn: ReLU, max-pool and dropout over noise, with two LRN layers.
                Arguments.of("alexnet-small", Nets.alexnetSmall(Init.he()), 1, 150, 0.05));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bookNets")
    void bookNetworkGradientsMatchNumerical(String name, NetSpec spec, int n, int sampled, double maxFail) {
        Model m = new Model(spec);
        Random r = new Random(11);
        // Sample parameters from every layer: a spread of indices over the whole vector.
        int[] idx = r.ints(sampled, 0, m.paramCount()).toArray();
        check(m, n, idx, 2, maxFail);
    }

    /** Nets whose loss has switching points (ReLU, max-pool): a few sampled points may sit within h of one. */
    private static boolean switching(String spec) {
        return spec.contains("relu") || spec.contains("conv(3,3,1,1);tanh;maxpool") || spec.contains("conv(16");
    }

    /**
     * Every parameter must match, except in nets with many switching points (ReLU, max-pool after overlapping
     * convolutions), where 2 % may sit closer to a switch than the smallest step.
     */
    private static void check(Model m, int n, int[] idx, long seed, double maxFail) {
        Random r = new Random(seed);
        float[] params = m.initialParams(seed);
        // Nonzero biases and gammas, so their gradients are exercised away from the initial point.
        for (int i = 0; i < params.length; i++) {
            params[i] += (float) (0.05 * r.nextGaussian());
        }
        float[] x = new float[n * m.inputSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        int[] labels = r.ints(n, 0, m.outputs()).toArray();
        GradientCheck.Result res = GradientCheck.check(m, params, x, n, labels, idx, ATOL, RTOL);
        assertTrue(res.passes(maxFail), () -> m.spec().describe() + ": " + res.failures() + " of "
                + res.checked() + " parameters off; worst parameter " + res.worstIndex()
                + " analytic " + res.analytic() + " vs numerical " + res.numerical());
    }
}

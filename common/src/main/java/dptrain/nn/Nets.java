package dptrain.nn;

import dptrain.nn.LayerSpec.AffineSpec;
import dptrain.nn.LayerSpec.BatchNormSpec;
import dptrain.nn.LayerSpec.ConvSpec;
import dptrain.nn.LayerSpec.DropoutSpec;
import dptrain.nn.LayerSpec.LrnSpec;
import dptrain.nn.LayerSpec.PoolSpec;
import dptrain.nn.LayerSpec.Simple;
import java.util.ArrayList;
import java.util.List;

/** The book's networks, as specs. MNIST: 784 inputs (or 28×28×1 images) and 10 classes. */
public final class Nets {
    private static final int[] FLAT = {784};
    private static final int[] IMAGE = {28, 28, 1};
    private static final int CLASSES = 10;

    private Nets() {}

    /** Chapter 5's TwoLayerNet: affine(hidden) – ReLU – affine(10), softmax, weights with std 0.01. */
    public static NetSpec twoLayer(int hidden, Init init) {
        return new NetSpec(FLAT, List.of(new AffineSpec(hidden), new Simple("relu"), new AffineSpec(CLASSES)),
                Loss.Kind.SOFTMAX, init);
    }

    /**
     * Chapter 6's MultiLayerNetExtend: for each hidden size affine – [batchnorm] – activation – [dropout],
     * then affine(10) and softmax.
     */
    public static NetSpec multiLayer(int[] hidden, String activation, Init init, boolean batchNorm, float dropout) {
        if (hidden.length == 0) {
            throw new IllegalArgumentException("a multi-layer net needs at least one hidden layer");
        }
        List<LayerSpec> layers = new ArrayList<>();
        for (int h : hidden) {
            layers.add(new AffineSpec(h));
            if (batchNorm) {
                layers.add(new BatchNormSpec());
            }
            layers.add(new Simple(activation));
            if (dropout > 0f) {
                layers.add(new DropoutSpec(dropout));
            }
        }
        layers.add(new AffineSpec(CLASSES));
        return new NetSpec(FLAT, layers, Loss.Kind.SOFTMAX, init);
    }

    /** Chapter 7's SimpleConvNet: conv 30×5×5 – ReLU – max-pool 2 – affine 100 – ReLU – affine 10. */
    public static NetSpec simpleConv(Init init) {
        return new NetSpec(IMAGE, List.of(new ConvSpec(30, 5, 1, 0), new Simple("relu"), new PoolSpec(true, 2, 2, 0),
                new AffineSpec(100), new Simple("relu"), new AffineSpec(CLASSES)), Loss.Kind.SOFTMAX, init);
    }

    /**
     * Chapter 7.7's LeNet (LeCun et al. 1998), MNIST-sized: conv 6×5×5 (padded by 2) – sigmoid – average-pool 2
     * ("subsampling") – conv 16×5×5 – sigmoid – average-pool 2 – affine 120 – sigmoid – affine 84 – sigmoid – affine 10.
     */
    public static NetSpec lenet(Init init) {
        return new NetSpec(IMAGE, List.of(new ConvSpec(6, 5, 1, 2), new Simple("sigmoid"), new PoolSpec(false, 2, 2, 0),
                new ConvSpec(16, 5, 1, 0), new Simple("sigmoid"), new PoolSpec(false, 2, 2, 0),
                new AffineSpec(120), new Simple("sigmoid"), new AffineSpec(84), new Simple("sigmoid"),
                new AffineSpec(CLASSES)), Loss.Kind.SOFTMAX, init);
    }

    /**
     * Chapter 7.7's AlexNet (Krizhevsky et al. 2012), MNIST-sized: conv 5×5 32 – ReLU – LRN – max-pool 2, conv 5×5 64 –
     * ReLU – LRN – max-pool 2, conv 3×3 96 – ReLU – conv 3×3 96 – ReLU – conv 3×3 64 – ReLU – max-pool 2 (28 → 14 → 7
     * → 3), affine 256 – ReLU – dropout 0.5 – affine 256 – ReLU – dropout 0.5 – affine 10. Every conv keeps its size
     * (padded); LRN with AlexNet's n = 5, k = 2, α = 1e-4, β = 0.75 ({@link LrnSpec#alexNet()}).
     */
    public static NetSpec alexnetSmall(Init init) {
        LrnSpec lrn = LrnSpec.alexNet();
        Simple relu = new Simple("relu");
        PoolSpec pool = new PoolSpec(true, 2, 2, 0);
        return new NetSpec(IMAGE, List.of(new ConvSpec(32, 5, 1, 2), relu, lrn, pool,
                new ConvSpec(64, 5, 1, 2), relu, lrn, pool,
                new ConvSpec(96, 3, 1, 1), relu, new ConvSpec(96, 3, 1, 1), relu, new ConvSpec(64, 3, 1, 1), relu, pool,
                new AffineSpec(256), relu, new DropoutSpec(0.5f), new AffineSpec(256), relu, new DropoutSpec(0.5f),
                new AffineSpec(CLASSES)), Loss.Kind.SOFTMAX, init);
    }

    /**
     * Chapter 8's DeepConvNet: (conv 3×3 – ReLU) ×2 – pool, three times with 16, 32, 64 filters (the fourth conv
     * padded by 2), affine 50 – ReLU – dropout 0.5 – affine 10 – dropout 0.5, He initialization.
     */
    public static NetSpec deepConv(Init init) {
        List<LayerSpec> l = new ArrayList<>();
        int[][] convs = {{16, 1}, {16, 1}, {32, 1}, {32, 2}, {64, 1}, {64, 1}};
        for (int i = 0; i < convs.length; i++) {
            l.add(new ConvSpec(convs[i][0], 3, 1, convs[i][1]));
            l.add(new Simple("relu"));
            if (i % 2 == 1) {
                l.add(new PoolSpec(true, 2, 2, 0));
            }
        }
        l.add(new AffineSpec(50));
        l.add(new Simple("relu"));
        l.add(new DropoutSpec(0.5f));
        l.add(new AffineSpec(CLASSES));
        l.add(new DropoutSpec(0.5f));
        return new NetSpec(IMAGE, l, Loss.Kind.SOFTMAX, init);
    }
}

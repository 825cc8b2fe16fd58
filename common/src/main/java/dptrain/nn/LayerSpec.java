package dptrain.nn;

import dptrain.nn.layers.Affine;
import dptrain.nn.layers.BatchNorm;
import dptrain.nn.layers.Convolution;
import dptrain.nn.layers.Dropout;
import dptrain.nn.layers.Flatten;
import dptrain.nn.layers.Layer;
import dptrain.nn.layers.LayerSetup;
import dptrain.nn.layers.LocalResponseNorm;
import dptrain.nn.layers.Pooling;
import dptrain.nn.layers.Relu;
import dptrain.nn.layers.Sigmoid;
import dptrain.nn.layers.Tanh;
import dptrain.tensor.Im2Col;

/**
 * The declarative description of one layer: its output shape, its parameters and state, how its weights are
 * initialized and which of them weight decay applies to. Shapes are per sample: {units} or {H, W, C}.
 */
public sealed interface LayerSpec {
    /** Output shape for the given input shape (throws IllegalArgumentException when the input does not fit). */
    int[] outShape(int[] in);

    /** Number of trainable parameters for the given input shape. */
    default int paramCount(int[] in) {
        return 0;
    }

    /** Number of state values (running statistics) for the given input shape. */
    default int stateCount(int[] in) {
        return 0;
    }

    /** Length of the leading part of the parameters that are weights (initialized randomly, decayed). */
    default int weightCount(int[] in) {
        return 0;
    }

    /** Inputs feeding one unit, for Xavier/He scaling. */
    default int fanIn(int[] in) {
        return 1;
    }

    /** Writes the non-random initial values (biases, gamma, beta) of this layer's parameters. */
    default void initConstants(float[] params, int off, int[] in) {}

    /** Writes the initial state (running mean 0, running variance 1). */
    default void initState(float[] state, int off, int[] in) {}

    /** Builds one replica's instance of the layer. */
    Layer create(LayerSetup setup, int layerIndex);

    /** The text form, as {@link NetSpec#parse} reads it. */
    String describe();

    static int size(int[] shape) {
        return LayerSetup.product(shape);
    }

    static void requireImage(int[] in, String layer) {
        if (in.length != 3) {
            throw new IllegalArgumentException(layer + " needs an image input (H x W x C), got a shape of "
                    + java.util.Arrays.toString(in));
        }
    }

    /** Fully connected layer with the given number of output units. */
    record AffineSpec(int units) implements LayerSpec {
        public AffineSpec {
            if (units < 1) {
                throw new IllegalArgumentException("affine needs at least 1 unit, got " + units);
            }
        }

        public int[] outShape(int[] in) {
            return new int[] {units};
        }

        public int paramCount(int[] in) {
            return size(in) * units + units;
        }

        public int weightCount(int[] in) {
            return size(in) * units;
        }

        public int fanIn(int[] in) {
            return size(in);
        }

        public Layer create(LayerSetup s, int i) {
            return new Affine(s);
        }

        public String describe() {
            return "affine(" + units + ")";
        }
    }

    /** Convolution with square filters; channels last. */
    record ConvSpec(int filters, int size, int stride, int pad) implements LayerSpec {
        public ConvSpec {
            if (filters < 1 || size < 1 || stride < 1 || pad < 0) {
                throw new IllegalArgumentException("conv needs filters >= 1, size >= 1, stride >= 1, pad >= 0; got "
                        + filters + "," + size + "," + stride + "," + pad);
            }
        }

        public int[] outShape(int[] in) {
            requireImage(in, "conv");
            Im2Col g = new Im2Col(in[0], in[1], in[2], size, size, stride, pad);
            return new int[] {g.outHeight(), g.outWidth(), filters};
        }

        public int paramCount(int[] in) {
            return filters * size * size * in[2] + filters;
        }

        public int weightCount(int[] in) {
            return filters * size * size * in[2];
        }

        public int fanIn(int[] in) {
            return size * size * in[2];
        }

        public Layer create(LayerSetup s, int i) {
            return new Convolution(s, filters, size, stride, pad);
        }

        public String describe() {
            return "conv(" + filters + "," + size + "," + stride + "," + pad + ")";
        }
    }

    /** Max or average pooling over square windows. */
    record PoolSpec(boolean max, int size, int stride, int pad) implements LayerSpec {
        public PoolSpec {
            if (size < 1 || stride < 1 || pad < 0 || pad >= size) {
                throw new IllegalArgumentException("pool needs size >= 1, stride >= 1, 0 <= pad < size; got "
                        + size + "," + stride + "," + pad);
            }
        }

        public int[] outShape(int[] in) {
            requireImage(in, max ? "maxpool" : "avgpool");
            int oh = Im2Col.outSize(in[0], size, stride, pad);
            int ow = Im2Col.outSize(in[1], size, stride, pad);
            if (oh < 1 || ow < 1) {
                throw new IllegalArgumentException("pool window " + size + " does not fit " + in[0] + "x" + in[1]);
            }
            return new int[] {oh, ow, in[2]};
        }

        public Layer create(LayerSetup s, int i) {
            return new Pooling(s, max, size, stride, pad);
        }

        public String describe() {
            return (max ? "maxpool(" : "avgpool(") + size + "," + stride + "," + pad + ")";
        }
    }

    /** An element-wise activation or reshaping layer with no parameters. */
    record Simple(String name) implements LayerSpec {
        public Simple {
            if (!java.util.List.of("relu", "sigmoid", "tanh", "flatten").contains(name)) {
                throw new IllegalArgumentException("unknown layer '" + name + "'");
            }
        }

        public int[] outShape(int[] in) {
            return name.equals("flatten") ? new int[] {size(in)} : in.clone();
        }

        public Layer create(LayerSetup s, int i) {
            return switch (name) {
                case "relu" -> new Relu(s);
                case "sigmoid" -> new Sigmoid(s);
                case "tanh" -> new Tanh(s);
                default -> new Flatten(s);
            };
        }

        public String describe() {
            return name;
        }
    }

    /** Dropout with the given drop ratio. */
    record DropoutSpec(float ratio) implements LayerSpec {
        public DropoutSpec {
            if (!(ratio >= 0f && ratio < 1f)) {
                throw new IllegalArgumentException("dropout ratio must be in [0, 1), got " + ratio);
            }
        }

        public int[] outShape(int[] in) {
            return in.clone();
        }

        public Layer create(LayerSetup s, int i) {
            return new Dropout(s, ratio, i);
        }

        public String describe() {
            return "dropout(" + ratio + ")";
        }
    }

    /**
     * Local response normalization across channels over a window of {@code size} channels:
     * a / (k + alpha/size · Σ a²)^beta (α divided by the window size, as PyTorch's LocalResponseNorm).
     */
    record LrnSpec(int size, float k, float alpha, float beta) implements LayerSpec {
        public LrnSpec {
            if (size < 1 || !(k > 0f) || !(alpha >= 0f) || !(beta >= 0f) || !Float.isFinite(k + alpha + beta)) {
                throw new IllegalArgumentException("lrn needs size >= 1, k > 0, alpha >= 0, beta >= 0 (finite); got "
                        + size + "," + k + "," + alpha + "," + beta);
            }
        }

        /** AlexNet's constants: n = 5, k = 2, α = 1e-4, β = 0.75. */
        public static LrnSpec alexNet() {
            return new LrnSpec(5, 2f, 1e-4f, 0.75f);
        }

        public int[] outShape(int[] in) {
            return in.clone();
        }

        public Layer create(LayerSetup s, int i) {
            return new LocalResponseNorm(s, size, k, alpha, beta);
        }

        public String describe() {
            return "lrn(" + size + "," + k + "," + alpha + "," + beta + ")";
        }
    }

    /** Batch normalization (per unit for vectors, per channel for images). */
    record BatchNormSpec() implements LayerSpec {
        public int[] outShape(int[] in) {
            return in.clone();
        }

        public int paramCount(int[] in) {
            return 2 * in[in.length - 1];
        }

        public int stateCount(int[] in) {
            return 2 * in[in.length - 1];
        }

        public void initConstants(float[] params, int off, int[] in) {
            java.util.Arrays.fill(params, off, off + in[in.length - 1], 1f);
        }

        public void initState(float[] state, int off, int[] in) {
            int c = in[in.length - 1];
            java.util.Arrays.fill(state, off + c, off + 2 * c, 1f);
        }

        public Layer create(LayerSetup s, int i) {
            return new BatchNorm(s);
        }

        public String describe() {
            return "batchnorm";
        }
    }
}

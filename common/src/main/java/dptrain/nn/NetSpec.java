package dptrain.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A network, declared: the per-sample input shape, the layers, the loss and the weight initialization. Its
 * text form ({@link #describe()}, read back by {@link #parse}) goes into checkpoints and, later, over the wire.
 */
public record NetSpec(int[] inputShape, List<LayerSpec> layers, Loss.Kind loss, Init init) {
    /** Checks that the layers fit together and the last one has as many outputs as there are classes. */
    public NetSpec {
        layers = List.copyOf(layers);
        inputShape = inputShape.clone();
        int[] shape = inputShape;
        for (LayerSpec l : layers) {
            shape = l.outShape(shape);
        }
        if (shape.length != 1) {
            throw new IllegalArgumentException("a network must end in a vector (an affine layer), ends in "
                    + Arrays.toString(shape));
        }
    }

    /** Number of output scores (classes). */
    public int outputs() {
        int[] shape = inputShape;
        for (LayerSpec l : layers) {
            shape = l.outShape(shape);
        }
        return shape[0];
    }

    /** e.g. {@code in=28x28x1;conv(30,5,1,0);relu;maxpool(2,2,0);affine(100);relu;affine(10);loss=softmax;init=he}. */
    public String describe() {
        StringBuilder sb = new StringBuilder("in=");
        for (int i = 0; i < inputShape.length; i++) {
            sb.append(i == 0 ? "" : "x").append(inputShape[i]);
        }
        for (LayerSpec l : layers) {
            sb.append(';').append(l.describe());
        }
        sb.append(";loss=").append(loss.name().toLowerCase(Locale.ROOT));
        sb.append(";init=").append(init.describe());
        return sb.toString();
    }

    /** Reads the text form; a malformed token gets an IllegalArgumentException naming it. */
    public static NetSpec parse(String text) {
        int[] in = null;
        Loss.Kind loss = Loss.Kind.SOFTMAX;
        Init init = Init.std(0.01);
        List<LayerSpec> layers = new ArrayList<>();
        for (String raw : text.split(";")) {
            String t = raw.trim().toLowerCase(Locale.ROOT);
            if (t.isEmpty()) {
                continue;
            }
            try {
                if (t.startsWith("in=")) {
                    in = Arrays.stream(t.substring(3).split("x")).mapToInt(Integer::parseInt).toArray();
                } else if (t.startsWith("loss=")) {
                    loss = Loss.Kind.valueOf(t.substring(5).toUpperCase(Locale.ROOT));
                } else if (t.startsWith("init=")) {
                    init = Init.parse(t.substring(5));
                } else {
                    layers.add(parseLayer(t));
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("bad network token '" + raw.trim() + "' in '" + text + "': "
                        + e.getMessage(), e);
            }
        }
        if (in == null) {
            throw new IllegalArgumentException("network '" + text + "' has no input shape (in=...)");
        }
        return new NetSpec(in, layers, loss, init);
    }

    private static LayerSpec parseLayer(String t) {
        int open = t.indexOf('(');
        String name = open < 0 ? t : t.substring(0, open);
        float[] a = new float[0];
        if (open >= 0) {
            if (!t.endsWith(")")) {
                throw new IllegalArgumentException("missing ')'");
            }
            String[] parts = t.substring(open + 1, t.length() - 1).split(",");
            a = new float[parts.length];
            for (int i = 0; i < parts.length; i++) {
                a[i] = Float.parseFloat(parts[i].trim());
            }
        }
        return switch (name) {
            case "affine" -> new LayerSpec.AffineSpec(arg(a, 0, 1));
            case "conv" -> new LayerSpec.ConvSpec(arg(a, 0, 4), arg(a, 1, 4), arg(a, 2, 4), arg(a, 3, 4));
            case "maxpool", "avgpool" -> new LayerSpec.PoolSpec(name.equals("maxpool"),
                    arg(a, 0, 3), arg(a, 1, 3), arg(a, 2, 3));
            case "dropout" -> new LayerSpec.DropoutSpec(a.length == 1 ? a[0] : bad("dropout takes one ratio"));
            case "batchnorm" -> new LayerSpec.BatchNormSpec();
            case "lrn" -> new LayerSpec.LrnSpec(arg(a, 0, 4), a[1], a[2], a[3]);
            default -> new LayerSpec.Simple(name);
        };
    }

    private static int arg(float[] a, int i, int expected) {
        if (a.length != expected) {
            throw new IllegalArgumentException("expected " + expected + " arguments, got " + a.length);
        }
        return (int) a[i];
    }

    private static float bad(String msg) {
        throw new IllegalArgumentException(msg);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetSpec other && describe().equals(other.describe());
    }

    @Override
    public int hashCode() {
        return describe().hashCode();
    }

    @Override
    public String toString() {
        return describe();
    }
}

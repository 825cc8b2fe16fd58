package dptrain.nn.graph;

/**
 * The book's multiplication node of a computational graph (ch. 5.4): z = x·y forward; backward, the derivative
 * flowing in is multiplied by the other input (∂z/∂x = y, ∂z/∂y = x), so the node keeps both inputs.
 */
public final class MulLayer {
    private double x;
    private double y;

    /** z = x·y; remembers x and y for the backward pass. */
    public double forward(double x, double y) {
        this.x = x;
        this.y = y;
        return x * y;
    }

    /** The derivatives with respect to x and y, given dout = ∂L/∂z: {dout·y, dout·x}. */
    public double[] backward(double dout) {
        return new double[] {dout * y, dout * x};
    }
}

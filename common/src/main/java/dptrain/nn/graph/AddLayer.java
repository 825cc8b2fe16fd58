package dptrain.nn.graph;

/** The book's addition node (ch. 5.4): z = x + y forward; backward passes the derivative on unchanged to both. */
public final class AddLayer {
    /** z = x + y (nothing to remember: the local derivatives are 1). */
    public double forward(double x, double y) {
        return x + y;
    }

    /** The derivatives with respect to x and y, given dout = ∂L/∂z: {dout, dout}. */
    public double[] backward(double dout) {
        return new double[] {dout, dout};
    }
}

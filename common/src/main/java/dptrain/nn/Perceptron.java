package dptrain.nn;

/**
 * The book's first example: a step function and perceptron gates. AND, NAND and OR are single perceptrons with
 * hand-set weights and bias; XOR, which no single perceptron can compute, is NAND and OR fed into AND.
 */
public final class Perceptron {
    private Perceptron() {}

    /** 1 when x > 0, else 0. */
    public static int step(double x) {
        return x > 0 ? 1 : 0;
    }

    /** step(w1·x1 + w2·x2 + b). */
    public static int perceptron(double w1, double w2, double b, int x1, int x2) {
        return step(w1 * x1 + w2 * x2 + b);
    }

    /** AND: w = (0.5, 0.5), b = −0.7. */
    public static int and(int x1, int x2) {
        return perceptron(0.5, 0.5, -0.7, x1, x2);
    }

    /** NAND: w = (−0.5, −0.5), b = 0.7. */
    public static int nand(int x1, int x2) {
        return perceptron(-0.5, -0.5, 0.7, x1, x2);
    }

    /** OR: w = (0.5, 0.5), b = −0.2. */
    public static int or(int x1, int x2) {
        return perceptron(0.5, 0.5, -0.2, x1, x2);
    }

    /** XOR by stacking: AND(NAND(x1, x2), OR(x1, x2)). */
    public static int xor(int x1, int x2) {
        return and(nand(x1, x2), or(x1, x2));
    }
}

package dptrain.nn.graph;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The book's shopping example (ch. 5.4–5.5): 2 apples at 100 yen and 3 oranges at 150 yen, with 10 % tax, as a graph
 * of {@link MulLayer}s and an {@link AddLayer}. Forward gives the price (715); backward from ∂price = 1 gives how much
 * the price moves per unit of each input (per yen of an apple's price 2.2, per apple 110, per yen of an orange's price
 * 3.3, per orange 165, per unit of tax 650).
 */
public final class Shopping {
    /** Each node's forward value and each input's derivative, in the order the book computes them. */
    public record Result(Map<String, Double> forward, Map<String, Double> backward) {}

    private Shopping() {}

    /** Forward and backward through the graph for the given purchase. */
    public static Result run(double apple, double appleCount, double orange, double orangeCount, double tax) {
        MulLayer appleLayer = new MulLayer();
        MulLayer orangeLayer = new MulLayer();
        AddLayer addLayer = new AddLayer();
        MulLayer taxLayer = new MulLayer();

        Map<String, Double> f = new LinkedHashMap<>();
        double applePrice = appleLayer.forward(apple, appleCount);
        f.put("apple price (apple × count)", applePrice);
        double orangePrice = orangeLayer.forward(orange, orangeCount);
        f.put("orange price (orange × count)", orangePrice);
        double all = addLayer.forward(applePrice, orangePrice);
        f.put("before tax (apple price + orange price)", all);
        double price = taxLayer.forward(all, tax);
        f.put("price (before tax × tax)", price);

        Map<String, Double> b = new LinkedHashMap<>();
        double dprice = 1;
        double[] dTax = taxLayer.backward(dprice);
        b.put("d price / d before tax", dTax[0]);
        b.put("d price / d tax", dTax[1]);
        double[] dAdd = addLayer.backward(dTax[0]);
        b.put("d price / d apple price", dAdd[0]);
        b.put("d price / d orange price", dAdd[1]);
        double[] dOrange = orangeLayer.backward(dAdd[1]);
        b.put("d price / d orange", dOrange[0]);
        b.put("d price / d orange count", dOrange[1]);
        double[] dApple = appleLayer.backward(dAdd[0]);
        b.put("d price / d apple", dApple[0]);
        b.put("d price / d apple count", dApple[1]);
        return new Result(f, b);
    }
}

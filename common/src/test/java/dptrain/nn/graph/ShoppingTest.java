package dptrain.nn.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The book's computational-graph nodes and its shopping example, with its numbers (ch. 5.4–5.5). */
class ShoppingTest {
    @Test
    void nodesForwardAndBackward() {
        MulLayer m = new MulLayer();
        assertEquals(200, m.forward(100, 2));
        assertArrayEquals(new double[] {2.2, 110}, m.backward(1.1), 1e-12);
        AddLayer a = new AddLayer();
        assertEquals(650, a.forward(200, 450));
        assertArrayEquals(new double[] {1.1, 1.1}, a.backward(1.1), 0);
    }

    @Test
    void theBooksNumbers() {
        Shopping.Result r = Shopping.run(100, 2, 150, 3, 1.1);
        Map<String, Double> f = r.forward();
        assertEquals(200, f.get("apple price (apple × count)"));
        assertEquals(450, f.get("orange price (orange × count)"));
        assertEquals(650, f.get("before tax (apple price + orange price)"));
        assertEquals(715, f.get("price (before tax × tax)"), 1e-9);
        Map<String, Double> b = r.backward();
        assertEquals(2.2, b.get("d price / d apple"), 1e-9);
        assertEquals(110, b.get("d price / d apple count"), 1e-9);
        assertEquals(3.3, b.get("d price / d orange"), 1e-9);
        assertEquals(165, b.get("d price / d orange count"), 1e-9);
        assertEquals(650, b.get("d price / d tax"), 0);
        assertEquals(1.1, b.get("d price / d apple price"), 0);
        // Each derivative is the price's change per unit of its input, checked against a numerical difference.
        double h = 1e-4;
        assertEquals((Shopping.run(100 + h, 2, 150, 3, 1.1).forward().get("price (before tax × tax)")
                - Shopping.run(100 - h, 2, 150, 3, 1.1).forward().get("price (before tax × tax)")) / (2 * h),
                b.get("d price / d apple"), 1e-6);
    }
}

package dptrain.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PerceptronTest {
    @Test
    void gatesMatchTheirTruthTables() {
        int[][] in = {{0, 0}, {1, 0}, {0, 1}, {1, 1}};
        int[] and = {0, 0, 0, 1};
        int[] nand = {1, 1, 1, 0};
        int[] or = {0, 1, 1, 1};
        int[] xor = {0, 1, 1, 0};
        for (int i = 0; i < 4; i++) {
            assertEquals(and[i], Perceptron.and(in[i][0], in[i][1]), "AND" + java.util.Arrays.toString(in[i]));
            assertEquals(nand[i], Perceptron.nand(in[i][0], in[i][1]), "NAND" + java.util.Arrays.toString(in[i]));
            assertEquals(or[i], Perceptron.or(in[i][0], in[i][1]), "OR" + java.util.Arrays.toString(in[i]));
            assertEquals(xor[i], Perceptron.xor(in[i][0], in[i][1]), "XOR" + java.util.Arrays.toString(in[i]));
        }
        assertEquals(0, Perceptron.step(0));
        assertEquals(1, Perceptron.step(1e-9));
    }
}

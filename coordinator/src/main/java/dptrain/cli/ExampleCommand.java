package dptrain.cli;

import dptrain.nn.graph.Shopping;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** The book's small worked examples, printed step by step. */
@Command(name = "example", mixinStandardHelpOptions = true,
        description = "Runs one of the book's worked examples and prints every step: shopping (ch. 5.4-5.5, the "
                + "computational graph of 2 apples and 3 oranges with tax: each node's forward value and each "
                + "input's derivative).")
final class ExampleCommand implements Callable<Integer> {
    /** The examples. */
    enum Name {
        SHOPPING;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** picocli's converter for {@link Name}. */
    static final class Names extends TrainCommand.NamedEnum<Name> {
        Names() {
            super(Name.class);
        }
    }

    @Parameters(index = "0", paramLabel = "NAME", converter = Names.class, description = "${COMPLETION-CANDIDATES}")
    Name name;

    @Override
    public Integer call() {
        Shopping.Result r = Shopping.run(100, 2, 150, 3, 1.1);
        System.out.println("The book's shopping example (ch. 5.4-5.5): 2 apples at 100 yen, 3 oranges at 150 yen, "
                + "tax 1.1");
        System.out.println("forward");
        print(r.forward());
        System.out.println("backward, from d price = 1");
        print(r.backward());
        return 0;
    }

    private static void print(Map<String, Double> values) {
        for (Map.Entry<String, Double> e : values.entrySet()) {
            // 10 significant digits: 715, not the double's 715.0000000000001
            String v = new BigDecimal(e.getValue()).round(new MathContext(10)).stripTrailingZeros().toPlainString();
            System.out.printf("  %-42s %s%n", e.getKey(), v);
        }
    }
}

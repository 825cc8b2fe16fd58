package dptrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** `dptrain example shopping` prints the book's numbers; an unknown example is named with the known ones. */
class ExampleCommandTest {
    @Test
    void shoppingPrintsTheBooksNumbers() {
        Cli.Result r = Cli.run("example", "shopping");
        assertEquals(0, r.exit(), r.err());
        String out = r.out();
        for (String line : new String[] {"price (before tax × tax)                   715",
                "d price / d apple                          2.2", "d price / d apple count                    110",
                "d price / d orange                         3.3", "d price / d orange count                   165",
                "d price / d tax                            650"}) {
            assertTrue(out.contains(line), "expected '" + line + "' in:\n" + out);
        }
        Cli.Result bad = Cli.run("example", "bakery");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("'bakery' (expected one of shopping)"), bad.err());
    }
}

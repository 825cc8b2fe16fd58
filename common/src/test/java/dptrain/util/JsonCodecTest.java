package dptrain.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonCodecTest {
    @Test
    void writesOneLineWithNonFiniteAsNullAndReadsBack() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\nd");
        m.put("n", 1.5);
        m.put("i", 3);
        m.put("nan", Double.NaN);
        m.put("inf", Float.POSITIVE_INFINITY);
        m.put("f", 0.1f);
        m.put("ints", new int[] {1, 2});
        m.put("path", Path.of("/tmp/x"));
        m.put("l", List.of(1, "x", true));
        m.put("o", Map.of("k", false));
        String text = JsonCodec.write(m);
        assertEquals("{\"s\":\"a\\\"b\\\\c\\nd\",\"n\":1.5,\"i\":3,\"nan\":null,\"inf\":null,\"f\":0.10000000149011612,"
                + "\"ints\":[1,2],\"path\":\"/tmp/x\",\"l\":[1,\"x\",true],\"o\":{\"k\":false}}", text);
        Map<String, Object> back = JsonCodec.readObject(text);
        assertEquals("a\"b\\c\nd", back.get("s"));
        assertEquals(3, back.get("i"));
        assertEquals(1.5, back.get("n"));
        assertEquals(List.of(1, "x", true), back.get("l"));
        assertEquals(List.copyOf(m.keySet()), List.copyOf(back.keySet()), "keys keep their order");
    }

    @Test
    void malformedTextSaysWhere() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonCodec.read("{\"a\":1"));
        assertTrue(e.getMessage().startsWith("bad JSON"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JsonCodec.read("{\"a\":1} x"));
        assertThrows(IllegalArgumentException.class, () -> JsonCodec.readObject("[1]"));
    }
}

package dptrain.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void writesAndReadsBack() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\nd");
        m.put("n", 1.5);
        m.put("i", 3);
        m.put("nan", Double.NaN);
        m.put("l", List.of(1, "x", true));
        m.put("o", Map.of("k", false));
        String text = Json.write(m);
        assertEquals("{\"s\":\"a\\\"b\\\\c\\nd\",\"n\":1.5,\"i\":3,\"nan\":null,\"l\":[1,\"x\",true],\"o\":{\"k\":false}}", text);
        Map<String, Object> back = Json.parseObject(text);
        assertEquals("a\"b\\c\nd", back.get("s"));
        assertEquals(3.0, back.get("i"));
        assertEquals(List.of(1.0, "x", true), back.get("l"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1} x"));
    }
}

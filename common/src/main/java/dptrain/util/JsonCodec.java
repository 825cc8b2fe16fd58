package dptrain.util;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * dptrain's one Jackson mapper and the conventions of every JSON file it writes (metrics, summaries, configs,
 * journals, checkpoint headers): one object per line, non-finite numbers as {@code null}, floats written as the
 * doubles they widen to, paths as text. Reading gives maps (in file order), lists, strings, booleans, null and
 * numbers ({@code Integer}/{@code Long} for integers, {@code Double} otherwise: compare through {@link Number}).
 */
public final class JsonCodec {
    private JsonCodec() {}

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new SimpleModule("dptrain")
                    .addSerializer(Double.class, new FiniteOrNull<>())
                    .addSerializer(double.class, new FiniteOrNull<>())
                    .addSerializer(Float.class, new FiniteOrNull<>())
                    .addSerializer(float.class, new FiniteOrNull<>())
                    .addSerializer(Path.class, ToStringSerializer.instance))
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    /** Writes a double (or a float, widened) as a number, or null when it is NaN or infinite. */
    private static final class FiniteOrNull<T extends Number> extends JsonSerializer<T> {
        @Override
        public void serialize(T v, JsonGenerator g, SerializerProvider p) throws IOException {
            double d = v.doubleValue();
            if (Double.isFinite(d)) {
                g.writeNumber(d);
            } else {
                g.writeNull();
            }
        }
    }

    /** The configured mapper, for callers that bind to their own types. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Serializes maps, lists, records, strings, numbers, booleans and null on one line. */
    public static String write(Object v) {
        try {
            return MAPPER.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Parses any JSON value; malformed text gets an IllegalArgumentException saying where. */
    public static Object read(String text) {
        try {
            return MAPPER.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr(), e);
        }
    }

    /** Parses a JSON object (keys in file order). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readObject(String text) {
        Object v = read(text);
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException("expected a JSON object, got " + (text.length() > 80
                    ? text.substring(0, 80) + "..." : text));
        }
        return (Map<String, Object>) v;
    }
}

package dptrain.search;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters a search varies, in a fixed order (the order of the unit cube's dimensions). Given as flags
 * ({@code --param lr=log-uniform:1e-6:1e-2}) or as a HOCON/JSON file whose keys are parameter names and whose values
 * are either the same text ({@code lr = "log-uniform:1e-6:1e-2"}), a list of choices
 * ({@code optimizer = [sgd, adam]}) or an object ({@code lr { distribution = log-uniform, min = 1e-6, max = 1e-2 }}).
 */
public record SearchSpace(List<Param> params) {
    /** Refuses an empty space and repeated names. */
    public SearchSpace {
        params = List.copyOf(params);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Param p : params) {
            if (!seen.add(p.name())) {
                throw new IllegalArgumentException("parameter '" + p.name() + "' is given twice");
            }
        }
    }

    /** Dimensions of the unit cube. */
    public int dimensions() {
        return params.size();
    }

    /** Parses --param values "name=KIND:ARGS". */
    public static List<Param> parseFlags(List<String> flags) {
        List<Param> out = new ArrayList<>();
        for (String f : flags) {
            int eq = f.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("invalid value for --param: '" + f + "' (expected NAME=" + Param.FORMS
                        + ", e.g. lr=log-uniform:1e-6:1e-2)");
            }
            out.add(Param.parse(f.substring(0, eq).trim(), f.substring(eq + 1).trim()));
        }
        return out;
    }

    /** Parses a space file (HOCON or JSON; an optional top-level "space" object holds the parameters). */
    public static List<Param> parseFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--space " + file + ": no such file (expected a HOCON or JSON file)");
        }
        Config c;
        try {
            c = ConfigFactory.parseFile(file.toFile());
        } catch (ConfigException e) {
            throw new IllegalArgumentException("--space " + file + ": " + e.getMessage());
        }
        ConfigObject root = c.hasPath("space") && c.getValue("space").valueType() == ConfigValueType.OBJECT
                ? c.getObject("space") : c.root();
        List<Param> out = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> e : root.entrySet()) {
            String name = e.getKey();
            ConfigValue v = e.getValue();
            String where = "--space " + file + " (line " + v.origin().lineNumber() + "): ";
            try {
                out.add(switch (v.valueType()) {
                    case STRING -> Param.parse(name, (String) v.unwrapped());
                    case LIST -> new Param(name, Param.Kind.CHOICE, 0, 0,
                            ((List<?>) v.unwrapped()).stream().map(String::valueOf).toList());
                    case OBJECT -> fromObject(name, ((ConfigObject) v).toConfig());
                    default -> throw new IllegalArgumentException("parameter '" + name + "': " + v.unwrapped()
                            + " (expected \"" + Param.FORMS + "\", a list of choices or an object with "
                            + "distribution/min/max or values)");
                });
            } catch (IllegalArgumentException | ConfigException ex) {
                throw new IllegalArgumentException(where + ex.getMessage());
            }
        }
        // Keep the file's order: HOCON objects do not, so sort by where each key was written.
        out.sort(java.util.Comparator.comparingInt(p -> root.get(p.name()).origin().lineNumber()));
        return out;
    }

    private static Param fromObject(String name, Config o) {
        if (o.hasPath("values")) {
            return new Param(name, Param.Kind.CHOICE, 0, 0, o.getList("values").unwrapped().stream()
                    .map(String::valueOf).toList());
        }
        if (!o.hasPath("distribution") || !o.hasPath("min") || !o.hasPath("max")) {
            throw new IllegalArgumentException("parameter '" + name + "': expected {distribution, min, max} or {values}");
        }
        return Param.parse(name, o.getString("distribution") + ":" + o.getString("min") + ":" + o.getString("max"));
    }

    /** The flag values of a point u of the unit cube, by parameter name in space order. */
    public Map<String, String> values(double[] u) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int j = 0; j < params.size(); j++) {
            m.put(params.get(j).name(), params.get(j).value(u[j]));
        }
        return m;
    }

    /** Names in order. */
    public List<String> names() {
        return params.stream().map(Param::name).toList();
    }
}

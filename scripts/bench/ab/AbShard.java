import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Paired A/B timing of one shard's forward and backward for two builds of the library, in one JVM: each build in
 * its own class loader, blocks of 10 shards alternated A B / B A, so the machine's slow and fast phases fall on
 * both. Prints the medians and the median of the per-pair ratios B/A (with its quartiles).
 *
 *   java AbShard LOOP_CLASSES A_COMMON_JAR B_COMMON_JAR LIB_DIR [model] [pairs]
 */
public final class AbShard {
    private AbShard() {}

    static LongSupplier load(Path loopClasses, Path commonJar, Path libDir, String model) throws Exception {
        List<URL> urls = new ArrayList<>();
        urls.add(loopClasses.toUri().toURL());
        urls.add(commonJar.toUri().toURL());
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(libDir, "*.jar")) {
            for (Path p : ds) {
                if (!p.getFileName().toString().startsWith("dptrain-")) {
                    urls.add(p.toUri().toURL());
                }
            }
        }
        ClassLoader cl = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
        return (LongSupplier) cl.loadClass("ShardLoop").getConstructor(String.class, int.class)
                .newInstance(model, 10);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: AbShard LOOP_CLASSES A_COMMON_JAR B_COMMON_JAR LIB_DIR [model] [pairs]");
            System.exit(2);
        }
        String model = args.length > 4 ? args[4] : "simple-cnn";
        int pairs = args.length > 5 ? Integer.parseInt(args[5]) : 60;
        Path loop = Path.of(args[0]);
        Path lib = Path.of(args[3]);
        System.err.println("A " + args[1]);
        LongSupplier a = load(loop, Path.of(args[1]), lib, model);
        System.err.println("B " + args[2]);
        LongSupplier b = load(loop, Path.of(args[2]), lib, model);
        for (int i = 0; i < 10; i++) {
            a.getAsLong();
            b.getAsLong();
        }
        double[] ta = new double[pairs];
        double[] tb = new double[pairs];
        double[] ratio = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            long x;
            long y;
            if ((i & 1) == 0) {
                x = a.getAsLong();
                y = b.getAsLong();
            } else {
                y = b.getAsLong();
                x = a.getAsLong();
            }
            ta[i] = x / 1e7;
            tb[i] = y / 1e7;
            ratio[i] = (double) y / x;
        }
        Arrays.sort(ta);
        Arrays.sort(tb);
        Arrays.sort(ratio);
        System.out.printf(Locale.ROOT, "{\"bench\":\"ab-shard\",\"model\":\"%s\",\"pairs\":%d,\"a_median_ms\":%.2f,"
                + "\"b_median_ms\":%.2f,\"b_over_a_median\":%.3f,\"b_over_a_q1\":%.3f,\"b_over_a_q3\":%.3f}%n",
                model, pairs, ta[pairs / 2], tb[pairs / 2], ratio[pairs / 2], ratio[pairs / 4], ratio[3 * pairs / 4]);
    }
}

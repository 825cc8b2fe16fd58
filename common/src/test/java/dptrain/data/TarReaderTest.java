package dptrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarReaderTest {

    @TempDir
    Path tmp;

    /** Reads every member (name to content; directories map to an empty array). */
    static Map<String, byte[]> readAll(InputStream in) throws IOException {
        Map<String, byte[]> members = new LinkedHashMap<>();
        TarReader tar = new TarReader(in);
        for (TarReader.Entry e; (e = tar.next()) != null; ) {
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            assertEquals(e.size(), tar.copyTo(content));
            members.put(e.name() + (e.isFile() ? "" : "/"), content.toByteArray());
        }
        return members;
    }

    static byte[] bytes(int n, int seed) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) (i * 13 + seed);
        }
        return out;
    }

    @Test
    void readsHandWrittenArchive() throws IOException {
        byte[] big = bytes(1300, 1);
        byte[] tgz = new TarTestArchives()
                .directory("package")
                .file("package/empty", new byte[0])
                .file("package/data/big", big)
                .file("package/data/exact", bytes(512, 2))
                .fileWithPrefix("package/very/deep", "name.txt", "hi".getBytes(StandardCharsets.UTF_8))
                .tgz();
        Map<String, byte[]> members = readAll(new GZIPInputStream(new ByteArrayInputStream(tgz)));
        assertEquals(Arrays.asList("package/", "package/empty", "package/data/big", "package/data/exact",
                "package/very/deep/name.txt"), Arrays.asList(members.keySet().toArray()));
        assertArrayEquals(big, members.get("package/data/big"));
        assertArrayEquals(bytes(512, 2), members.get("package/data/exact"));
        assertEquals("hi", new String(members.get("package/very/deep/name.txt"), StandardCharsets.UTF_8));
    }

    @Test
    void skipsUnreadContent() throws IOException {
        byte[] tar = new TarTestArchives().file("a", bytes(700, 3)).file("b", bytes(5, 4)).tar();
        TarReader reader = new TarReader(new ByteArrayInputStream(tar));
        assertEquals("a", reader.next().name());
        TarReader.Entry b = reader.next();
        assertEquals("b", b.name());
        assertEquals(5, b.size());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        reader.copyTo(out);
        assertArrayEquals(bytes(5, 4), out.toByteArray());
        assertNull(reader.next());
    }

    @Test
    void rejectsCorruptHeaderChecksum() {
        byte[] tar = new TarTestArchives().file("a", bytes(10, 0)).tar();
        tar[0] = 'b';
        IOException e = assertThrows(IOException.class, () -> readAll(new ByteArrayInputStream(tar)));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void rejectsTruncatedArchive() {
        byte[] tar = new TarTestArchives().file("a", bytes(2000, 0)).tar();
        byte[] cut = Arrays.copyOf(tar, 512 + 1000);
        assertThrows(EOFException.class, () -> readAll(new ByteArrayInputStream(cut)));
        byte[] cutHeader = Arrays.copyOf(tar, 100);
        assertThrows(EOFException.class, () -> readAll(new ByteArrayInputStream(cutHeader)));
    }

    @Test
    void readsArchivesMadeBySystemTar() throws Exception {
        assumeTrue(gnuTarAvailable(), "GNU tar not available");
        Path root = tmp.resolve("src");
        String longName = "package/data/" + "x".repeat(120) + "/" + "y".repeat(110);
        Files.createDirectories(root.resolve(longName).getParent());
        Files.write(root.resolve(longName), bytes(1025, 5));
        Files.createDirectories(root.resolve("package/data"));
        Files.write(root.resolve("package/data/train-labels-idx1-ubyte"), bytes(60, 6));
        for (String format : new String[] {"ustar", "gnu", "pax"}) {
            Path tgz = tmp.resolve(format + ".tgz");
            String[] members = format.equals("ustar")
                    ? new String[] {"package/data/train-labels-idx1-ubyte"}
                    : new String[] {"package"};
            runTar(root, tgz, format, members);
            Map<String, byte[]> read = readAll(new GZIPInputStream(Files.newInputStream(tgz)));
            assertArrayEquals(bytes(60, 6), read.get("package/data/train-labels-idx1-ubyte"), format);
            if (!format.equals("ustar")) {
                assertArrayEquals(bytes(1025, 5), read.get(longName), format);
                byte[] raw = new GZIPInputStream(Files.newInputStream(tgz)).readAllBytes();
                String marker = format.equals("gnu") ? "././@LongLink" : "path=";
                assertTrue(new String(raw, StandardCharsets.ISO_8859_1).contains(marker),
                        format + " archive should use its long-name extension");
            }
        }
    }

    private static boolean gnuTarAvailable() {
        try {
            Process p = new ProcessBuilder("tar", "--version").redirectErrorStream(true).start();
            String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && version.contains("GNU tar");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void runTar(Path root, Path tgz, String format, String... members) throws Exception {
        String[] command = new String[5 + members.length];
        command[0] = "tar";
        command[1] = "--format=" + format;
        command[2] = "-czf";
        command[3] = tgz.toString();
        command[4] = "-C" + root;
        System.arraycopy(members, 0, command, 5, members.length);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "tar hung");
        assertEquals(0, p.exitValue(), output);
        assertFalse(output.contains("Error"), output);
    }
}

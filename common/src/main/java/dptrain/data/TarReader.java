package dptrain.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal sequential reader of (uncompressed) tar archives: 512-byte ustar headers, with the pax
 * {@code path}/{@code size} and GNU long-name extensions that npm and GNU tar may emit.
 */
final class TarReader {

    static final int BLOCK = 512;

    /**
     * One archive member.
     *
     * @param name the full member path, e.g. "package/data/train-images-idx3-ubyte"
     * @param size the number of data bytes
     * @param type the ustar type flag ('0' for a regular file, '5' for a directory, ...)
     */
    record Entry(String name, long size, char type) {
        /** Tells whether this member is a regular file. */
        boolean isFile() {
            return type == '0' || type == '\0' || type == '7';
        }
    }

    private final InputStream in;
    private final byte[] header = new byte[BLOCK];
    private long remaining;
    private long padding;
    private Entry current;

    /** Reads an archive from {@code in}, which the caller closes. */
    TarReader(InputStream in) {
        this.in = in;
    }

    /** Advances to the next member (skipping unread data of the current one); returns null at the end. */
    Entry next() throws IOException {
        String longName = null;
        Long paxSize = null;
        while (true) {
            skipRest();
            if (!readHeader()) {
                current = null;
                return null;
            }
            char type = (char) (header[156] & 0xFF);
            long size = parseNumber(124, 12);
            startData(size);
            if (type == 'L') {
                longName = trimNul(new String(readData(size), StandardCharsets.UTF_8));
            } else if (type == 'x') {
                String pax = new String(readData(size), StandardCharsets.UTF_8);
                String path = paxValue(pax, "path");
                String paxSizeText = paxValue(pax, "size");
                longName = path != null ? path : longName;
                paxSize = paxSizeText != null ? Long.valueOf(paxSizeText) : paxSize;
            } else if (type == 'g') {
                continue;
            } else {
                String name = longName != null ? longName : headerName();
                if (paxSize != null) {
                    size = paxSize;
                    startData(size);
                }
                current = new Entry(name, size, type);
                return current;
            }
        }
    }

    /** Copies the unread data of the current member to {@code out}; returns the number of bytes copied. */
    long copyTo(OutputStream out) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long copied = 0;
        while (remaining > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (n < 0) {
                throw new EOFException("tar archive ends inside member " + (current == null ? "?" : current.name())
                        + " with " + remaining + " bytes still expected");
            }
            out.write(buffer, 0, n);
            remaining -= n;
            copied += n;
        }
        return copied;
    }

    private void startData(long size) {
        remaining = size;
        padding = (BLOCK - size % BLOCK) % BLOCK;
    }

    private byte[] readData(long size) throws IOException {
        if (size > (1 << 20)) {
            throw new IOException("tar extension header of " + size + " bytes is implausibly large");
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) {
            throw new EOFException("tar archive ends inside an extension header");
        }
        remaining = 0;
        return data;
    }

    private void skipRest() throws IOException {
        in.skipNBytes(remaining + padding);
        remaining = 0;
        padding = 0;
    }

    private boolean readHeader() throws IOException {
        int n = in.readNBytes(header, 0, BLOCK);
        if (n == 0) {
            return false;
        }
        if (n < BLOCK) {
            throw new EOFException("tar archive ends inside a header block (" + n + " of 512 bytes)");
        }
        boolean allZero = true;
        for (byte b : header) {
            if (b != 0) {
                allZero = false;
                break;
            }
        }
        if (allZero) {
            return false;
        }
        long stored = parseNumber(148, 8);
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            boolean inChecksum = i >= 148 && i < 156;
            unsigned += inChecksum ? ' ' : header[i] & 0xFF;
            signed += inChecksum ? ' ' : header[i];
        }
        if (stored != unsigned && stored != signed) {
            throw new IOException("tar header checksum mismatch (stored " + stored + ", computed " + unsigned
                    + "): not a tar archive or corrupt");
        }
        return true;
    }

    private String headerName() {
        String name = field(0, 100);
        boolean ustar = field(257, 6).startsWith("ustar");
        String prefix = ustar ? field(345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private String field(int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private long parseNumber(int offset, int length) throws IOException {
        if ((header[offset] & 0x80) != 0) {
            long value = header[offset] & 0x7F;
            for (int i = offset + 1; i < offset + length; i++) {
                value = (value << 8) | (header[i] & 0xFF);
            }
            return value;
        }
        String text = field(offset, length).trim();
        if (text.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(text, 8);
        } catch (NumberFormatException e) {
            throw new IOException("tar header field at offset " + offset + " is not an octal number: '" + text + "'");
        }
    }

    private static String paxValue(String records, String key) {
        String value = null;
        for (String line : records.split("\n")) {
            int space = line.indexOf(' ');
            int equals = line.indexOf('=');
            if (space > 0 && equals > space && line.substring(space + 1, equals).equals(key)) {
                value = line.substring(equals + 1);
            }
        }
        return value;
    }

    private static String trimNul(String text) {
        int nul = text.indexOf('\0');
        return nul < 0 ? text : text.substring(0, nul);
    }
}

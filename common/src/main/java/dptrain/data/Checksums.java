package dptrain.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/** SHA-256 helpers shared by the MNIST loader and fetcher. */
final class Checksums {

    private Checksums() {
    }

    /** Returns the lowercase hex SHA-256 of a file's contents; I/O problems become DataExceptions. */
    static String sha256(Path file) {
        MessageDigest sha = dptrain.util.Hashes.sha256();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw DataException.about(file, "cannot be read to compute its SHA-256", e);
        }
        return hex(sha.digest());
    }

    /** Formats a digest as lowercase hex. */
    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}

package dptrain.util;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of parameter vectors: the fingerprint that says two runs ended with the same bits. */
public final class Hashes {
    private Hashes() {}

    /** Hex SHA-256 of the float32 values as little-endian IEEE-754 bytes. */
    public static String sha256(float[] values) {
        MessageDigest md = sha256();
        byte[] buf = new byte[8192];
        int pos = 0;
        for (float v : values) {
            int bits = Float.floatToRawIntBits(v);
            buf[pos++] = (byte) bits;
            buf[pos++] = (byte) (bits >>> 8);
            buf[pos++] = (byte) (bits >>> 16);
            buf[pos++] = (byte) (bits >>> 24);
            if (pos == buf.length) {
                md.update(buf, 0, pos);
                pos = 0;
            }
        }
        md.update(buf, 0, pos);
        return HexFormat.of().formatHex(md.digest());
    }

    /** A fresh SHA-256 digest. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}

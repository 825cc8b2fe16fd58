package dptrain.cluster.transport;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks data-plane chunks with HMAC-SHA256 under the per-job secret; with no secret it does nothing
 * (a job run with {@code mac = none}). One per thread: {@link Mac} is not thread-safe.
 */
public final class Authenticator {
    private final Mac mac;
    private final byte[] out = new byte[Frame.MAC_LENGTH];

    /** An authenticator for the secret, or a no-op one when secret is null or empty. */
    public Authenticator(byte[] secret) {
        if (secret == null || secret.length == 0) {
            mac = null;
            return;
        }
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** A fresh random 32-byte job secret. */
    public static byte[] newSecret() {
        byte[] s = new byte[32];
        new SecureRandom().nextBytes(s);
        return s;
    }

    /** Whether messages are authenticated. */
    public boolean enabled() {
        return mac != null;
    }

    /** The MAC of header[hOff, hOff + MAC_OFFSET) followed by payload[pOff, pOff + pLen), into dst at dOff. */
    public void sign(byte[] header, int hOff, byte[] payload, int pOff, int pLen, byte[] dst, int dOff) {
        if (mac == null) {
            java.util.Arrays.fill(dst, dOff, dOff + Frame.MAC_LENGTH, (byte) 0);
            return;
        }
        compute(header, hOff, payload, pOff, pLen);
        System.arraycopy(out, 0, dst, dOff, Frame.MAC_LENGTH);
    }

    /** Whether the MAC at expected[eOff…] is right for the header and payload (constant-time compare). */
    public boolean verify(byte[] header, int hOff, byte[] payload, int pOff, int pLen, byte[] expected, int eOff) {
        if (mac == null) {
            return true;
        }
        compute(header, hOff, payload, pOff, pLen);
        int diff = 0; // constant time: no early exit on the first differing byte
        for (int i = 0; i < Frame.MAC_LENGTH; i++) {
            diff |= out[i] ^ expected[eOff + i];
        }
        return diff == 0;
    }

    private void compute(byte[] header, int hOff, byte[] payload, int pOff, int pLen) {
        try {
            mac.update(header, hOff, Frame.MAC_OFFSET);
            mac.update(payload, pOff, pLen);
            mac.doFinal(out, 0);
        } catch (javax.crypto.ShortBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}

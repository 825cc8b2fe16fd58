package dptrain.cluster.transport;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Protects data-plane chunks under the per-job secret with AES-128-GCM: the chunk's payload is encrypted in place and
 * authenticated together with its header (the header up to {@link Frame#MAC_OFFSET}, CRC field zeroed: the CRC is of
 * the bytes on the wire, so it is computed after encryption). The 12-byte nonce and 16-byte tag travel in the
 * header's MAC field. With no secret (a job run with {@code mac = none}) chunks go as plain text with a zero field.
 *
 * <p>Why AES-GCM and not HMAC-SHA256: on a 1.74 MB SimpleConvNet vector the JDK's GCM (AES-NI and carry-less
 * multiply intrinsics) takes ~0.4 ms against ~1.8 ms for HMAC-SHA256, and also keeps the data private
 * (scripts/bench/probes/MacBench.java).
 *
 * <p>Nonces never repeat under one key: each is the sender id (4 bytes, from the header) and a 64-bit counter that
 * starts at a random value per instance and grows by one per chunk. One instance per thread: {@link Cipher} is not
 * thread-safe.
 */
public final class Authenticator {
    /** Secret bytes (an AES-128 key). */
    public static final int SECRET_LENGTH = 16;
    /** Bytes a receiver's payload array needs after a chunk for {@link #open}. */
    public static final int SCRATCH = 16;
    private static final int NONCE = 12;
    private static final int TAG = SCRATCH;

    private final Cipher cipher;
    private final SecretKey key;
    private final byte[] nonce = new byte[NONCE];
    private final byte[] aad = new byte[Frame.MAC_OFFSET];
    private long counter;

    /** An authenticator for the secret, or a no-op one when secret is null or empty. */
    public Authenticator(byte[] secret) {
        if (secret == null || secret.length == 0) {
            cipher = null;
            key = null;
            return;
        }
        if (secret.length != SECRET_LENGTH) {
            throw new IllegalArgumentException("a data-plane secret has " + SECRET_LENGTH + " bytes, got "
                    + secret.length);
        }
        try {
            cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available in this JVM", e);
        }
        key = new SecretKeySpec(secret, "AES");
        counter = new SecureRandom().nextLong();
        warmUpOnce();
    }

    private static final java.util.concurrent.atomic.AtomicBoolean WARMED = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * The JDK's GCM runs at ~40 MB/s until the JIT has compiled it onto its AES-NI and carry-less-multiply intrinsics,
     * which a few dozen megabyte-sized calls do not reach: the first hundred steps of a job would pay 10-50 ms per
     * vector. So the first protected authenticator in a JVM starts a background thread that seals and opens 20 000
     * small chunks under a throwaway key (~1 s of one core; measured with scripts/bench/probes/MacBench.java).
     */
    private static void warmUpOnce() {
        if (!WARMED.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> {
            byte[] k = newSecret();
            Authenticator a = new Authenticator(k);
            Authenticator b = new Authenticator(k);
            byte[] header = new byte[Frame.LENGTH];
            byte[] data = new byte[4096 + SCRATCH];
            for (int i = 0; i < 20_000; i++) {
                a.seal(header, 0, data, 0, 4096);
                if (!b.open(header, 0, data, 0, 4096)) {
                    throw new IllegalStateException("AES-GCM warm-up: a chunk did not open under its own key");
                }
            }
        }, "dptrain-gcm-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /** A fresh random job secret. */
    public static byte[] newSecret() {
        byte[] s = new byte[SECRET_LENGTH];
        new SecureRandom().nextBytes(s);
        return s;
    }

    /** Whether messages are protected. */
    public boolean enabled() {
        return cipher != null;
    }

    /**
     * Encrypts payload[pOff, pOff + pLen) in place and writes nonce and tag into the header's MAC field. The header
     * at hOff must be complete except for its CRC (which the caller writes afterwards, over the encrypted bytes).
     */
    public void seal(byte[] header, int hOff, byte[] payload, int pOff, int pLen) {
        int mac = hOff + Frame.MAC_OFFSET;
        java.util.Arrays.fill(header, mac, mac + Frame.MAC_LENGTH, (byte) 0);
        if (cipher == null) {
            return;
        }
        System.arraycopy(header, hOff + 36, nonce, 0, 4); // the sender id
        long n = counter++;
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (n >>> (8 * i));
        }
        aad(header, hOff);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG * 8, nonce));
            cipher.updateAAD(aad);
            // In place; the tag must not land on the next chunk's plain text, so it is taken from doFinal().
            int written = cipher.update(payload, pOff, pLen, payload, pOff);
            byte[] tail = cipher.doFinal();
            // update() may hold back the last bytes; doFinal() returns them followed by the tag.
            System.arraycopy(tail, 0, payload, pOff + written, tail.length - TAG);
            System.arraycopy(nonce, 0, header, mac, NONCE);
            System.arraycopy(tail, tail.length - TAG, header, mac + NONCE, TAG);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt a data-plane chunk: " + e.getMessage(), e);
        }
    }

    /**
     * Checks and decrypts payload[pOff, pOff + pLen) in place against the header at hOff (its MAC field holding
     * nonce and tag); false, with the payload left undefined, when the chunk was not sealed under this secret.
     * The payload array needs {@link #SCRATCH} bytes of room after the chunk (the tag is placed there).
     */
    public boolean open(byte[] header, int hOff, byte[] payload, int pOff, int pLen) {
        if (cipher == null) {
            return true;
        }
        int mac = hOff + Frame.MAC_OFFSET;
        aad(header, hOff);
        System.arraycopy(header, mac + NONCE, payload, pOff + pLen, TAG);
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG * 8, header, mac, NONCE));
            cipher.updateAAD(aad);
            cipher.doFinal(payload, pOff, pLen + TAG, payload, pOff);
            return true;
        } catch (GeneralSecurityException e) {
            return false; // AEADBadTagException, or a malformed nonce
        }
    }

    /** The authenticated header bytes: up to the MAC field, with the CRC field zeroed. */
    private void aad(byte[] header, int hOff) {
        System.arraycopy(header, hOff, aad, 0, Frame.MAC_OFFSET);
        for (int i = Frame.CRC_OFFSET; i < Frame.CRC_OFFSET + 4; i++) {
            aad[i] = 0;
        }
    }
}

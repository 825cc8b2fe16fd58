// The cost of protecting one SimpleConvNet-sized data-plane message (1.74 MB) in this JVM: AES-128-GCM encryption and
// decryption in place in chunks of 1 MiB - 104 bytes (what the data plane does with the default 8 MB term and an MTU
// below 32 KB), in one 1.74 MB call, in chunks of 65 368 bytes (one frame at MTU 65 504, the local cluster's),
// HMAC-SHA256 (what the data plane used before), AES-GMAC with the data as AAD, and CRC32C (the per-chunk checksum).
// Run: java scripts/bench/probes/MacBench.java
import java.util.zip.CRC32C;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

public class MacBench {
    /** 10 times: encrypt data in place chunk by chunk, then decrypt it back; nanoseconds of each. */
    static long[] gcm(byte[] plain, SecretKeySpec key, int chunk, int round) throws Exception {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        byte[] buf = java.util.Arrays.copyOf(plain, plain.length + 16);
        int chunks = (plain.length + chunk - 1) / chunk;
        byte[][] tags = new byte[chunks][];
        long enc = 0;
        long dec = 0;
        for (int i = 0; i < 10; i++) {
            long t0 = System.nanoTime();
            for (int k = 0; k < chunks; k++) {
                int off = k * chunk;
                int len = Math.min(chunk, plain.length - off);
                c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv(round, i, k)));
                int w = c.update(buf, off, len, buf, off);
                byte[] tail = c.doFinal();
                System.arraycopy(tail, 0, buf, off + w, tail.length - 16);
                tags[k] = java.util.Arrays.copyOfRange(tail, tail.length - 16, tail.length);
            }
            long t1 = System.nanoTime();
            byte[] next = new byte[16];
            for (int k = 0; k < chunks; k++) { // each tag goes just after its chunk (as in the receiver)
                int off = k * chunk;
                int len = Math.min(chunk, plain.length - off);
                System.arraycopy(buf, off + len, next, 0, 16); // here the next chunk has not arrived yet
                System.arraycopy(tags[k], 0, buf, off + len, 16);
                c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, iv(round, i, k)));
                c.doFinal(buf, off, len + 16, buf, off);
                System.arraycopy(next, 0, buf, off + len, 16);
            }
            long t2 = System.nanoTime();
            enc += t1 - t0;
            dec += t2 - t1;
            if (!java.util.Arrays.equals(buf, 0, plain.length, plain, 0, plain.length)) {
                throw new AssertionError("decryption did not give the plain text back");
            }
        }
        return new long[] {enc, dec};
    }

    static byte[] iv(int round, int i, int k) {
        return new byte[] {(byte) round, (byte) i, (byte) k, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    }

    public static void main(String[] args) throws Exception {
        byte[] data = new byte[1_740_000];
        new java.util.Random(1).nextBytes(data);
        byte[] key = new byte[32];
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        SecretKeySpec aes = new SecretKeySpec(key, 0, 16, "AES");
        CRC32C crc = new CRC32C();
        // GCM runs interpreted (~40 MB/s) until the JIT compiles it onto its intrinsics: warm it up as the data plane
        // does (Authenticator.warmUpOnce), 20 000 chunks of 4 KB.
        byte[] small = java.util.Arrays.copyOf(data, 4096);
        long w0 = System.nanoTime();
        for (int i = 0; i < 2000; i++) {
            gcm(small, aes, 4096, i);
        }
        System.out.printf("GCM warm-up: %.0f ms%n", (System.nanoTime() - w0) / 1e6);
        for (int r = 0; r < 5; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                mac.update(data);
                mac.doFinal();
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                byte[] iv = new byte[12];
                iv[0] = (byte) r;
                iv[1] = (byte) i;
                gcm.init(Cipher.ENCRYPT_MODE, aes, new GCMParameterSpec(128, iv));
                gcm.updateAAD(data);
                gcm.doFinal();
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                crc.reset();
                crc.update(data);
            }
            long t3 = System.nanoTime();
            long[] gcm1 = gcm(data, aes, (1 << 20) - 104, r);
            long[] gcmWhole = gcm(data, aes, data.length, r + 100);
            long[] gcmFrame = gcm(data, aes, 65504 - 32 - 104, r + 200);
            System.out.printf("round %d, per 1.74 MB: aes-gcm 1 MiB chunks encrypt %.3f decrypt %.3f ms  "
                            + "aes-gcm one call encrypt %.3f decrypt %.3f ms  aes-gcm 64 KB chunks encrypt %.3f "
                            + "decrypt %.3f ms  hmac-sha256 %.3f ms  aes-gmac %.3f ms  crc32c %.3f ms%n", r + 1,
                    gcm1[0] / 10e6, gcm1[1] / 10e6, gcmWhole[0] / 10e6, gcmWhole[1] / 10e6, gcmFrame[0] / 10e6,
                    gcmFrame[1] / 10e6, (t1 - t0) / 50e6, (t2 - t1) / 50e6, (t3 - t2) / 50e6);
        }
    }
}

// The cost of authenticating one SimpleConvNet-sized data-plane message (1.74 MB) in this JVM: HMAC-SHA256 (what the
// data plane uses), AES-GMAC through the JDK's GCM cipher with the data as AAD (the alternative considered), and
// CRC32C (the per-chunk checksum). Run: java scripts/bench/MacBench.java
import java.util.zip.CRC32C;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

public class MacBench {
    public static void main(String[] args) throws Exception {
        byte[] data = new byte[1_740_000];
        new java.util.Random(1).nextBytes(data);
        byte[] key = new byte[32];
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        SecretKeySpec aes = new SecretKeySpec(key, 0, 16, "AES");
        CRC32C crc = new CRC32C();
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
            System.out.printf("round %d, per 1.74 MB: hmac-sha256 %.3f ms  aes-gmac %.3f ms  crc32c %.3f ms%n",
                    r + 1, (t1 - t0) / 50e6, (t2 - t1) / 50e6, (t3 - t2) / 50e6);
        }
    }
}

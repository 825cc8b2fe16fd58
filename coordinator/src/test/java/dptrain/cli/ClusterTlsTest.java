package dptrain.cli;

import static dptrain.cli.Cli.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dptrain.coordinator.ClusterNodes;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Akka over TLS with mutual authentication, as deploy/README.md tells an operator to set it up: key material from
 * deploy/scripts/gen-tls.sh, the shipped deploy/src/dist/conf/tls.conf as --config, store paths and passwords in
 * the environment. A cluster of such nodes trains bit for bit like one process; a node holding another cluster's
 * key, or speaking plain TCP, is not let in, and the coordinator gives up saying so.
 */
class ClusterTlsTest {
    private static final String PASSWORD = "cluster-secret-1";
    private static final String ROGUE_PASSWORD = "rogue-secret-2";

    @TempDir
    static Path keys;

    @TempDir
    Path tmp;

    static Path data;
    static Path repo;
    static Path tlsConf;
    /** gen-tls.sh output of the cluster, and of another cluster (its own self-signed key: another CA, in effect). */
    static Path good;
    static Path rogue;

    private final ChildJvms jvms = new ChildJvms();

    @BeforeAll
    static void keyMaterial() throws Exception {
        data = FetchMnistCommand.ensureMnist(null);
        repo = Path.of("").toAbsolutePath();
        while (!Files.exists(repo.resolve("deploy/scripts/gen-tls.sh"))) {
            repo = repo.getParent();
            assertNotNull(repo, "deploy/scripts/gen-tls.sh not found above " + Path.of("").toAbsolutePath());
        }
        tlsConf = repo.resolve("deploy/src/dist/conf/tls.conf");
        good = genTls(keys.resolve("good"), PASSWORD);
        rogue = genTls(keys.resolve("rogue"), ROGUE_PASSWORD);
    }

    @AfterEach
    void stopJvms() throws InterruptedException {
        jvms.close();
    }

    /** Runs gen-tls.sh with the running JDK's keytool; password null: the script's default. */
    private static Path genTls(Path out, String password) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", repo.resolve("deploy/scripts/gen-tls.sh").toString(),
                out.toString(), "ip:127.0.0.1").redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("DPTRAIN_TLS_PASSWORD");
        if (password != null) {
            pb.environment().put("DPTRAIN_TLS_PASSWORD", password);
        }
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "gen-tls.sh hangs");
        assertEquals(0, p.exitValue(), "gen-tls.sh failed:\n" + output);
        for (String f : List.of("dptrain-node.p12", "dptrain-trust.p12", "dptrain-node.crt")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " missing after gen-tls.sh:\n" + output);
        }
        return out;
    }

    /** The environment conf/tls.conf reads: this node's key store, the trust store, one password for all. */
    private static Map<String, String> tlsEnv(Path stores, String password) {
        return Map.of("DPTRAIN_KEYSTORE", stores.resolve("dptrain-node.p12").toString(),
                "DPTRAIN_TRUSTSTORE", stores.resolve("dptrain-trust.p12").toString(),
                "DPTRAIN_TLS_PASSWORD", password);
    }

    private String[] flags() {
        return new String[] {"--model", "two-layer", "--train-samples", "2000", "--steps", "20", "--data-dir",
            data.toString(), "--seed", "5", "--quiet", "--no-plots", "--eval-train-samples", "200"};
    }

    @Test
    void localClusterOverMutualTlsTrainsLikeOneProcess() throws Exception {
        Path ref = tmp.resolve("reference");
        Cli.Result r = Cli.run(concat(concat(new String[] {"train"}, flags()), "--workers", "0", "--run-dir", ref.toString()));
        assertEquals(0, r.exit(), r.err());
        Object reference = ChildJvms.summary(ref).get("params_sha256");

        // local-cluster hands its --config (absolute) and its environment on to the worker JVM.
        Path run = tmp.resolve("tls");
        Process lc = jvms.start(tmp.resolve("local-cluster.log"), tlsEnv(good, PASSWORD), concat(concat(
                new String[] {"local-cluster"}, flags()), "--workers", "1", "--config", tlsConf.toString(),
                "--worker-timeout", "90", "--run-dir", run.toString()));
        assertEquals(0, jvms.exit(lc, 180, "local-cluster over TLS"), "local-cluster exit code" + jvms.tail(lc));
        Map<String, Object> s = ChildJvms.summary(run);
        assertEquals(reference, s.get("params_sha256"), "params_sha256 over TLS");
        assertEquals(1, s.get("workers_joined"));
        assertEquals(20, s.get("steps"));
        String worker = Files.readString(run.resolve("logs/worker-1.log"));
        assertTrue(worker.contains("joined job") && worker.contains("ended (completed)"), worker);
    }

    @Test
    void nodesWithoutTheClusterKeyCannotJoin() throws Exception {
        int port = ChildJvms.freePort();
        // A node with another cluster's key that trusts ours (so only our side's check of its certificate, the
        // mutual part, can stop it), and a node without TLS. Both are trying before the coordinator starts, so they
        // knock (every second) during the whole of its wait.
        Map<String, String> strangerEnv = new HashMap<>(tlsEnv(rogue, ROGUE_PASSWORD));
        strangerEnv.put("DPTRAIN_TRUSTSTORE", good.resolve("dptrain-trust.p12").toString());
        strangerEnv.put("DPTRAIN_TRUSTSTORE_PASSWORD", PASSWORD);
        Process stranger = jvms.worker(tmp.resolve("stranger.log"), strangerEnv, port, data, tlsConf, true);
        Process plain = jvms.worker(tmp.resolve("plain.log"), Map.of(), port, data, null, true);
        for (Process w : List.of(stranger, plain)) {
            jvms.await("worker pid " + w.pid() + " trying to join", 90,
                    () -> jvms.log(w).contains("joining 127.0.0.1:" + port), w);
        }

        Path run = tmp.resolve("run");
        Process c = jvms.start(tmp.resolve("coordinator.log"), tlsEnv(good, PASSWORD), concat(concat(
                new String[] {"coordinator"}, flags()), "--port", Integer.toString(port), "--workers", "1",
                "--worker-timeout", "10", "--config", tlsConf.toString(), "--run-dir", run.toString()));
        jvms.await("the coordinator listening", 60, () -> jvms.log(c).contains("coordinator at 127.0.0.1:" + port), c);

        // The coordinator's port itself: TLS 1.3 with a certificate from the cluster's key is let in; no
        // certificate, or one the trust store does not vouch for, is refused.
        assertEquals("accepted", probe(port, good, PASSWORD), "a client holding the cluster key");
        String none = probe(port, null, null);
        assertTrue(none.startsWith("refused"), "a client without a certificate: " + none);
        String other = probe(port, rogue, ROGUE_PASSWORD);
        assertTrue(other.startsWith("refused"), "a client with another cluster's key: " + other);

        assertEquals(1, jvms.exit(c, 90, "the coordinator"), "coordinator exit code" + jvms.tail(c));
        assertTrue(jvms.log(c).contains("error: only 0 of 1 workers joined within 10 s"), jvms.tail(c));
        assertFalse(Files.exists(run.resolve("summary.json")), "a summary without workers");
        assertEquals(List.of(), ChildJvms.steps(run), "steps trained without workers");
        for (Process w : List.of(stranger, plain)) {
            assertTrue(w.isAlive(), "worker pid " + w.pid() + " gave up instead of knocking" + jvms.tail(w));
            assertFalse(jvms.log(w).contains("joined job"), jvms.tail(w));
        }
    }

    /**
     * Opens a TLS 1.3 connection to the port trusting the cluster's trust store, presenting the key in stores (none
     * when null). A TLS 1.3 client finishes its handshake before the server has checked its certificate, so the
     * verdict comes with the first read: an alert or a close (refused), or silence while Artery waits for its header
     * (accepted).
     */
    private static String probe(int port, Path stores, String password) throws Exception {
        KeyManager[] km = null;
        if (stores != null) {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(stores.resolve("dptrain-node.p12"), password), password.toCharArray());
            km = kmf.getKeyManagers();
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(good.resolve("dptrain-trust.p12"), PASSWORD));
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(km, tmf.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(ChildJvms.HOST, port)) {
            s.setSoTimeout(2000);
            s.startHandshake();
            return s.getInputStream().read() < 0 ? "refused: closed after the handshake" : "accepted: got data";
        } catch (SocketTimeoutException e) {
            return "accepted";
        } catch (IOException e) {
            return "refused: " + e;
        }
    }

    private static KeyStore load(Path file, String password) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password.toCharArray());
        }
        return ks;
    }

    @Test
    void storesAreCheckedAtStartAndTlsConfDefaultsMatchGenTls() throws Exception {
        String head = "include file(\"" + tlsConf + "\")\nakka.remote.artery.ssl.config-ssl-engine {\n";
        // A key store that is not there: Akka itself would only find out on the first connection.
        Path missing = tmp.resolve("missing.conf");
        Files.writeString(missing, head + "key-store = \"" + tmp.resolve("nowhere.p12") + "\"\n"
                + "trust-store = \"" + good.resolve("dptrain-trust.p12") + "\"\n}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterNodes.node(ClusterNodes.base(missing), ChildJvms.HOST, 0, "worker"));
        assertTrue(e.getMessage().contains("key-store = " + tmp.resolve("nowhere.p12") + ": no such file"), e.getMessage());
        assertTrue(e.getMessage().contains("DPTRAIN_KEYSTORE"), e.getMessage());

        // A wrong password, through the command line: named, exit code 2, before the node joins anything.
        Path wrong = tmp.resolve("wrong.conf");
        Files.writeString(wrong, head + "key-store = \"" + good.resolve("dptrain-node.p12") + "\"\n"
                + "trust-store = \"" + good.resolve("dptrain-trust.p12") + "\"\n"
                + "key-store-password = \"not-the-password\"\ntrust-store-password = \"" + PASSWORD + "\"\n}\n");
        Cli.Result r = Cli.run("worker", "--join", "127.0.0.1:9", "--data-dir", data.toString(), "--config", wrong.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("key-store = " + good.resolve("dptrain-node.p12")
                + " does not open with akka.remote.artery.ssl.config-ssl-engine.key-store-password"), r.err());

        // Stores made without DPTRAIN_TLS_PASSWORD open with tls.conf's default password (Akka's own is another).
        assumeTrue(System.getenv("DPTRAIN_TLS_PASSWORD") == null && System.getenv("DPTRAIN_KEYSTORE_PASSWORD") == null
                && System.getenv("DPTRAIN_KEY_PASSWORD") == null && System.getenv("DPTRAIN_TRUSTSTORE_PASSWORD") == null,
                "a DPTRAIN_*PASSWORD variable is set in the test's environment");
        Path plain = genTls(tmp.resolve("default-password"), null);
        Path defaults = tmp.resolve("defaults.conf");
        Files.writeString(defaults, head + "key-store = \"" + plain.resolve("dptrain-node.p12") + "\"\n"
                + "trust-store = \"" + plain.resolve("dptrain-trust.p12") + "\"\n}\n");
        var cfg = ClusterNodes.node(ClusterNodes.base(defaults), ChildJvms.HOST, 0, "worker");
        assertEquals("tls-tcp", cfg.getString("akka.remote.artery.transport"));
        assertTrue(cfg.getBoolean("akka.remote.artery.ssl.config-ssl-engine.require-mutual-authentication"));
    }
}

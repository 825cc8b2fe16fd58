package dptrain.coordinator;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.cluster.typed.JoinSeedNodes;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dptrain.cluster.protocol.WorkerProtocol;
import dptrain.worker.Worker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.security.UnrecoverableKeyException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Starts cluster nodes: the settings stack (flags over --config file over dptrain-cluster.conf), roles, joining. */
public final class ClusterNodes {
    private ClusterNodes() {}

    /** Every node's actor system has this name (nodes of one cluster must agree). */
    public static final String SYSTEM = "dptrain";

    /** dptrain-cluster.conf under an optional user file (HOCON), without the node's own address yet. */
    public static Config base(Path userConfig) {
        Config c = ConfigFactory.parseResources("dptrain-cluster.conf");
        if (userConfig != null) {
            if (!Files.isRegularFile(userConfig)) {
                throw new IllegalArgumentException("--config " + userConfig + ": no such file (expected a HOCON file)");
            }
            Config user;
            try {
                user = ConfigFactory.parseFile(userConfig.toFile());
            } catch (com.typesafe.config.ConfigException e) {
                throw new IllegalArgumentException("--config " + userConfig + ": " + e.getMessage());
            }
            checkDptrainSettings(user, c, userConfig);
            c = user.withFallback(c);
            try { // a ${...} that cannot be resolved is named now, with its file and line, not where it is first read
                c.withFallback(ConfigFactory.defaultReference()).resolve();
            } catch (com.typesafe.config.ConfigException e) {
                throw new IllegalArgumentException("--config " + userConfig + ": " + e.getMessage());
            }
        }
        return c;
    }

    /**
     * Every dptrain.* setting of a --config file must be one dptrain knows (a misspelt key is named with the nearest
     * known one) and of the type its default has; the message names the key, the file and line, what was found and
     * what was expected. Ranges are checked where the settings are read
     * ({@link dptrain.cluster.transport.DataPlane.Settings#from}).
     */
    static void checkDptrainSettings(Config user, Config reference, Path file) {
        if (!user.root().containsKey("dptrain")) {
            return;
        }
        java.util.Set<String> known = new java.util.TreeSet<>();
        for (Map.Entry<String, com.typesafe.config.ConfigValue> e : reference.getConfig("dptrain").entrySet()) {
            known.add("dptrain." + e.getKey());
        }
        com.typesafe.config.ConfigValue top = user.root().get("dptrain");
        if (!(top instanceof com.typesafe.config.ConfigObject)) {
            throw new IllegalArgumentException(where(file, top) + "dptrain = "
                    + top.render(com.typesafe.config.ConfigRenderOptions.concise()) + ": expected an object "
                    + "of settings, e.g. dptrain.data-plane { mtu = 8960 }");
        }
        Map<String, com.typesafe.config.ConfigValue> settings = new java.util.TreeMap<>();
        leaves((com.typesafe.config.ConfigObject) top, "dptrain", settings); // walked as written: nothing resolved
        List<Map.Entry<String, com.typesafe.config.ConfigValue>> inFileOrder = new java.util.ArrayList<>(settings.entrySet());
        inFileOrder.sort(java.util.Comparator.comparingInt(e -> e.getValue().origin() == null ? 0
                : e.getValue().origin().lineNumber()));
        for (Map.Entry<String, com.typesafe.config.ConfigValue> e : inFileOrder) {
            String key = e.getKey();
            com.typesafe.config.ConfigValue v = e.getValue();
            com.typesafe.config.ConfigValueType found;
            try {
                found = v.valueType();
            } catch (com.typesafe.config.ConfigException.NotResolved unresolved) {
                found = null; // a ${...} substitution: its type is known once the whole configuration is resolved
            }
            if (!known.contains(key)) {
                throw new IllegalArgumentException(where(file, v) + "unknown setting " + key
                        + dptrain.util.Nearest.suggestion(key, known) + "; the dptrain settings are " + known);
            }
            if (found == null) {
                continue;
            }
            com.typesafe.config.ConfigValue def = reference.getValue(key);
            String expected = switch (def.valueType()) {
                case NUMBER -> "a number";
                case BOOLEAN -> "true or false";
                case LIST -> "a list";
                case OBJECT -> "an object";
                default -> key.endsWith("-length") || key.endsWith("-size") ? "a size in bytes, e.g. 8m" : "a string";
            };
            try {
                switch (def.valueType()) {
                    case NUMBER -> user.getNumber(key);
                    case BOOLEAN -> user.getBoolean(key);
                    case LIST -> user.getList(key);
                    case OBJECT -> user.getObject(key);
                    default -> {
                        if (expected.startsWith("a size")) {
                            user.getBytes(key);
                        } else if (found != com.typesafe.config.ConfigValueType.STRING
                                && found != com.typesafe.config.ConfigValueType.NUMBER
                                && found != com.typesafe.config.ConfigValueType.BOOLEAN) {
                            throw new com.typesafe.config.ConfigException.WrongType(v.origin(), key, "STRING",
                                    found.name());
                        }
                    }
                }
            } catch (com.typesafe.config.ConfigException ex) {
                throw new IllegalArgumentException(where(file, v) + key + " = "
                        + v.render(com.typesafe.config.ConfigRenderOptions.concise()) + ": expected " + expected
                        + " (found " + found.name().toLowerCase(java.util.Locale.ROOT) + ")");
            }
        }
    }

    private static void leaves(com.typesafe.config.ConfigObject o, String path,
                               Map<String, com.typesafe.config.ConfigValue> out) {
        for (Map.Entry<String, com.typesafe.config.ConfigValue> e : o.entrySet()) {
            String key = path + "." + e.getKey();
            if (e.getValue() instanceof com.typesafe.config.ConfigObject child) {
                leaves(child, key, out);
            } else {
                out.put(key, e.getValue());
            }
        }
    }

    private static String where(Path file, com.typesafe.config.ConfigValue v) {
        int line = v.origin() == null ? -1 : v.origin().lineNumber();
        return "--config " + file + (line > 0 ? " line " + line : "") + ": ";
    }

    /** base with this node's host, port and role. */
    public static Config node(Config base, String host, int port, String role) {
        Config c = base
                .withValue("akka.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
                .withValue("akka.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(port))
                .withValue("akka.cluster.roles", ConfigValueFactory.fromIterable(List.of(role)));
        Config loaded;
        try {
            loaded = ConfigFactory.load(c);
        } catch (com.typesafe.config.ConfigException e) {
            throw new IllegalArgumentException("cluster settings: " + e.getMessage());
        }
        checkTls(loaded);
        return loaded;
    }

    /**
     * With Artery over tls-tcp and Akka's ConfigSSLEngineProvider, opens the key and trust stores and builds the TLS
     * context the way Akka will. Akka does that lazily, on the first connection, and then only logs the failure on
     * the side that dials out: a wrong path or password would look like nodes that never meet. This names it at
     * start instead.
     */
    static void checkTls(Config c) {
        String artery = "akka.remote.artery.";
        if (!c.getString(artery + "transport").equals("tls-tcp")
                || !c.getString(artery + "ssl.ssl-engine-provider").equals("akka.remote.artery.tcp.ConfigSSLEngineProvider")) {
            return;
        }
        String p = artery + "ssl.config-ssl-engine.";
        String hint = " (the TLS settings are " + p + "*; deploy's conf/tls.conf takes the store paths from "
                + "DPTRAIN_KEYSTORE and DPTRAIN_TRUSTSTORE, the passwords from DPTRAIN_TLS_PASSWORD)";
        try {
            KeyStore keys = loadStore(c, p + "key-store", p + "key-store-password", hint);
            KeyStore trust = loadStore(c, p + "trust-store", p + "trust-store-password", hint);
            if (!anyEntry(keys, keys::isKeyEntry)) {
                throw new IllegalArgumentException("TLS: " + p + "key-store = " + c.getString(p + "key-store")
                        + " holds no private key" + hint);
            }
            if (!anyEntry(trust, trust::isCertificateEntry)) {
                throw new IllegalArgumentException("TLS: " + p + "trust-store = " + c.getString(p + "trust-store")
                        + " holds no trusted certificate, so no node would be let in" + hint);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            try {
                kmf.init(keys, c.getString(p + "key-password").toCharArray());
            } catch (UnrecoverableKeyException e) {
                throw new IllegalArgumentException("TLS: the key in " + p + "key-store = " + c.getString(p + "key-store")
                        + " does not open with " + p + "key-password (wrong password?)" + hint);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            String protocol = c.getString(p + "protocol");
            SSLContext ctx;
            try {
                ctx = SSLContext.getInstance(protocol);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalArgumentException("TLS: " + p + "protocol = " + protocol + " is not available in this "
                        + "Java (" + System.getProperty("java.version") + ")");
            }
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            List<String> supported = List.of(ctx.getSupportedSSLParameters().getCipherSuites());
            for (String a : c.getStringList(p + "enabled-algorithms")) {
                if (!supported.contains(a)) {
                    throw new IllegalArgumentException("TLS: " + p + "enabled-algorithms names " + a + ", which this "
                            + "Java does not support with " + protocol);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS: cannot set up the key and trust stores: " + e + hint);
        }
    }

    /** An entry test that may throw, as KeyStore's do. */
    private interface EntryTest {
        boolean test(String alias) throws KeyStoreException;
    }

    /** Whether any alias of the store passes the test. */
    private static boolean anyEntry(KeyStore ks, EntryTest t) throws KeyStoreException {
        for (String a : Collections.list(ks.aliases())) {
            if (t.test(a)) {
                return true;
            }
        }
        return false;
    }

    private static KeyStore loadStore(Config c, String pathKey, String passwordKey, String hint)
            throws GeneralSecurityException {
        String file = c.getString(pathKey);
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            ks.load(in, c.getString(passwordKey).toCharArray());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("TLS: " + pathKey + " = " + Path.of(file).toAbsolutePath()
                    + ": no such file" + hint);
        } catch (IOException e) {
            String why = e.getCause() instanceof UnrecoverableKeyException
                    || String.valueOf(e.getMessage()).contains("password")
                    ? "does not open with " + passwordKey + " (wrong password?)" : "cannot be read: " + e.getMessage();
            throw new IllegalArgumentException("TLS: " + pathKey + " = " + Path.of(file).toAbsolutePath() + " " + why
                    + hint);
        }
        return ks;
    }

    /** Starts a node that joins itself: the first node, the coordinator. */
    public static <T> ActorSystem<T> startFirst(Behavior<T> guardian, Config cfg) {
        ActorSystem<T> sys = ActorSystem.create(guardian, SYSTEM, cfg);
        Cluster c = Cluster.get(sys);
        c.manager().tell(Join.create(c.selfMember().address()));
        return sys;
    }

    /** Starts a worker node that keeps trying to join the node at seed ("host:port"). */
    public static ActorSystem<WorkerProtocol.Command> startWorker(Config cfg, String seed, Worker.Env env) {
        ActorSystem<WorkerProtocol.Command> sys = ActorSystem.create(Worker.create(env), SYSTEM, cfg);
        Cluster.get(sys).manager().tell(new JoinSeedNodes(List.of(address(seed))));
        return sys;
    }

    /** The node address of "host:port", naming the flag value when malformed. */
    public static Address address(String hostPort) {
        int i = hostPort.lastIndexOf(':');
        if (i <= 0) {
            throw new IllegalArgumentException("invalid value for --join: '" + hostPort + "' (expected HOST:PORT)");
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(i + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("invalid value for --join: '" + hostPort + "' (expected HOST:PORT with a port 1..65535)");
        }
        return new Address("akka", SYSTEM, hostPort.substring(0, i), port);
    }

    /** "host:port" of a node. */
    public static String hostPort(ActorSystem<?> sys) {
        Address a = Cluster.get(sys).selfMember().address();
        return a.getHost().get() + ":" + a.getPort().get();
    }
}

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
            try {
                c = ConfigFactory.parseFile(userConfig.toFile()).withFallback(c);
            } catch (com.typesafe.config.ConfigException e) {
                throw new IllegalArgumentException("--config " + userConfig + ": " + e.getMessage());
            }
        }
        return c;
    }

    /** base with this node's host, port and role. */
    public static Config node(Config base, String host, int port, String role) {
        Config c = base
                .withValue("akka.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
                .withValue("akka.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(port))
                .withValue("akka.cluster.roles", ConfigValueFactory.fromIterable(List.of(role)));
        return ConfigFactory.load(c);
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

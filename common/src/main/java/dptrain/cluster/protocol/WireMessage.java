package dptrain.cluster.protocol;

/**
 * Marks a message that crosses the wire between cluster nodes. Akka binds this interface to
 * {@link KryoSerializer}; every implementing class must also be listed in {@link Registry}.
 */
public interface WireMessage {}

package dptrain.coordinator;

import dptrain.cluster.transport.DataPlane;
import dptrain.cluster.transport.Receiver;
import io.aeron.Subscription;

/**
 * Where a job's gradients come in: over IPC from the workers that share this node's media driver (in this JVM, or
 * other JVMs of the host on its {@link dptrain.cluster.transport.HostDriver}), and, unless every worker is in this
 * JVM, over UDP from the others. A worker learns which to use from the job offer: the driver's id, and the UDP
 * channel.
 */
final class GradInbox implements AutoCloseable {
    private final Subscription ipc;
    private final Subscription udp;
    /** The channel the job offer names: the UDP one, or the IPC one when every worker is in this JVM. */
    final String offeredChannel;

    private GradInbox(Subscription ipc, Subscription udp, String offeredChannel) {
        this.ipc = ipc;
        this.udp = udp;
        this.offeredChannel = offeredChannel;
    }

    /** Subscribes to the job's gradient stream over IPC and, when udp, on the plane's UDP port (0: a free one). */
    static GradInbox open(DataPlane dp, int stream, boolean udp) {
        Subscription i = dp.subscription(dp.ipcChannel(), stream);
        if (!udp) {
            return new GradInbox(i, null, dp.ipcChannel());
        }
        try {
            DataPlane.Settings s = dp.settings();
            Subscription u = dp.subscription(dp.udpChannel(s.host(), s.port()), stream);
            return new GradInbox(i, u, dp.udpChannel(s.host(), dp.boundPort(u, s.host(), s.port())));
        } catch (RuntimeException e) {
            i.close();
            throw e;
        }
    }

    /** Polls both subscriptions into the receiver; returns the fragments taken. */
    int poll(Receiver receiver, int limit) {
        int n = receiver.poll(ipc, limit);
        return udp == null ? n : n + receiver.poll(udp, limit);
    }

    @Override
    public void close() {
        ipc.close();
        if (udp != null) {
            udp.close();
        }
    }
}

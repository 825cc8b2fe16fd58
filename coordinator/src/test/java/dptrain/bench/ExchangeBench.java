package dptrain.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dptrain.cluster.transport.Authenticator;
import dptrain.cluster.transport.DataPlane;
import dptrain.cluster.transport.Delivery;
import dptrain.cluster.transport.DropReason;
import dptrain.cluster.transport.Frame;
import dptrain.cluster.transport.OutgoingMessage;
import dptrain.cluster.transport.Receiver;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.util.Arrays;
import java.util.Locale;

/**
 * The data-plane exchange of one training step, measured: a "coordinator" sends a vector of N floats (the
 * parameters) to a "worker", which answers with a vector of the same size (its gradient sums), over two media
 * drivers (UDP loopback) or one (IPC). Prints the median round trip, i.e. the communication a step costs with one
 * worker. Usage: ExchangeBench [floats] [rounds] [udp|ipc] [mtu] [mac: aes-gcm|none]
 */
public final class ExchangeBench {
    private ExchangeBench() {}

    public static void main(String[] args) throws Exception {
        int floats = args.length > 0 ? Integer.parseInt(args[0]) : 433_890;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        boolean udp = args.length <= 2 || args[2].equals("udp");
        int mtu = args.length > 3 ? Integer.parseInt(args[3]) : 65504;
        String mac = args.length > 4 ? args[4] : "aes-gcm";
        Config base = ConfigFactory.parseString("dptrain.data-plane { mtu = " + mtu + ", mac = " + mac + " }")
                .withFallback(ConfigFactory.parseResources("dptrain-cluster.conf"));
        DataPlane.Settings s = DataPlane.Settings.from(base, "127.0.0.1");
        byte[] secret = s.mac() ? Authenticator.newSecret() : null;
        try (DataPlane a = DataPlane.start(s); DataPlane b = udp ? DataPlane.start(s) : a) {
            int pa = freePort();
            int pb = freePort();
            String toB = udp ? b.udpChannel("127.0.0.1", pb) : a.ipcChannel();
            String toA = udp ? a.udpChannel("127.0.0.1", pa) : a.ipcChannel();
            Subscription subB = b.subscription(toB, 1);
            Subscription subA = a.subscription(toA, 2);
            Publication pubAB = a.publication(toB, 1);
            Publication pubBA = b.publication(toA, 2);
            float[] v = new float[floats];
            Arrays.fill(v, 0.5f);
            Thread echo = new Thread(() -> serve(b, subB, pubBA, secret, v, rounds), "echo");
            echo.setDaemon(true);
            echo.start();
            OutgoingMessage out = new OutgoingMessage(floats, s.chunkBytes(), new Authenticator(secret));
            long[] got = new long[1];
            Receiver r = new Receiver(sink(got), new Authenticator(secret), floats * 4);
            Delivery d = new Delivery();
            var idle = DataPlane.idle();
            long[] times = new long[rounds];
            for (int i = 0; i < rounds; i++) {
                long t0 = System.nanoTime();
                out.prepare(Frame.PARAMS, 1, i, i, -1, 0, v, floats, v, 0, 0, 0);
                d.start(pubAB, out);
                while (!d.advance()) {
                    idle.idle(r.poll(subA, 16));
                }
                while (got[0] <= i) {
                    idle.idle(r.poll(subA, 16));
                }
                times[i] = System.nanoTime() - t0;
            }
            long[] warm = Arrays.copyOfRange(times, rounds / 5, rounds);
            Arrays.sort(warm);
            System.out.printf(Locale.ROOT, "exchange %s mtu %d mac %s: %d floats (%.2f MB) each way, median round trip "
                            + "%.3f ms, p90 %.3f ms (%d rounds, first 20%% dropped)%n", udp ? "udp" : "ipc", mtu, mac,
                    floats, floats * 4 / 1e6, warm[warm.length / 2] / 1e6, warm[warm.length * 9 / 10] / 1e6, rounds);
            System.out.println("driver A counters: " + a.troubleCounters());
            if (udp) {
                System.out.println("driver B counters: " + b.troubleCounters());
            }
        }
    }

    private static Receiver.Sink sink(long[] got) {
        return new Receiver.Sink() {
            @Override
            public DropReason check(Frame f) {
                return null;
            }

            @Override
            public void deliver(Frame f, byte[] payload) {
                got[0] = f.step + 1;
            }
        };
    }

    private static void serve(DataPlane b, Subscription in, Publication out, byte[] secret, float[] v, int rounds) {
        long[] got = new long[1];
        Receiver r = new Receiver(sink(got), new Authenticator(secret), v.length * 4);
        OutgoingMessage m = new OutgoingMessage(v.length, b.settings().chunkBytes(), new Authenticator(secret));
        Delivery d = new Delivery();
        var idle = DataPlane.idle();
        for (int i = 0; i < rounds; i++) {
            while (got[0] <= i) {
                idle.idle(r.poll(in, 16));
            }
            m.prepare(Frame.GRADS, 1, i, i, 0, 1, v, v.length, v, 0, 0, 0);
            d.start(out, m);
            while (!d.advance()) {
                idle.idle(r.poll(in, 16));
            }
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }
}

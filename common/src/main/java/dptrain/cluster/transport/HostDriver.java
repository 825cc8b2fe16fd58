package dptrain.cluster.transport;

import io.aeron.driver.MediaDriver;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * The media driver of one host, in a process of its own, shared by every dptrain JVM of the host (a local cluster's
 * coordinator and workers): they are clients of it and talk over IPC, with no socket, no copy into the kernel and no
 * driver thread of their own. Runs until it is sent SIGTERM or its owner process (the one that started it) ends, then
 * deletes its directory.
 *
 * <p>{@code java … dptrain.cluster.transport.HostDriver DIR MTU TERM_LENGTH OWNER_PID}
 */
public final class HostDriver {
    private HostDriver() {}

    /** Starts the driver in DIR and waits; exit 2 on bad arguments, 1 when the driver cannot start. */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 4) {
            System.err.println("usage: HostDriver DIR MTU TERM_LENGTH OWNER_PID");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        DataPlane.Settings s = new DataPlane.Settings("127.0.0.1", 0, Integer.parseInt(args[1]),
                Integer.parseInt(args[2]), dir.toString(), true, false);
        long owner = Long.parseLong(args[3]);
        MediaDriver driver;
        try {
            DataPlane.Buffers b = DataPlane.Buffers.fit(DataPlane.kernelLimit("rmem_max"),
                    DataPlane.kernelLimit("wmem_max"), s.mtu());
            DataPlane.makePrivateDir(dir);
            driver = MediaDriver.launch(DataPlane.driverContext(s, dir, b));
            DataPlane.ownerOnly(dir); // Aeron re-makes the directory (with the umask's mode) as it starts
            DataPlane.writeDriverId(dir);
        } catch (RuntimeException e) { // IllegalStateException from makePrivateDir among them
            System.err.println("dptrain host driver: cannot start the Aeron media driver in " + dir + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        System.err.printf(Locale.ROOT, "dptrain host driver: pid %d, directory %s, MTU %d, term length %d, owner pid %d%n",
                ProcessHandle.current().pid(), dir, s.mtu(), s.termLength(), owner);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            driver.close(); // dirDeleteOnShutdown: the directory goes too
            System.err.println("dptrain host driver: stopped");
            stop.countDown();
        }));
        // An owner killed with SIGKILL cannot stop its driver: the driver notices and stops itself.
        while (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
            if (stop.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
                return;
            }
        }
        System.err.println("dptrain host driver: owner process " + owner + " has ended; stopping");
        System.exit(0);
    }
}

package dptrain.cluster.transport;

import com.typesafe.config.Config;
import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

/**
 * This JVM's data plane: a client of an Aeron media driver, either the host's driver already running in
 * {@code dptrain.data-plane.aeron-dir} (the JVMs of one host then share it and talk over IPC), or a driver embedded in
 * this JVM when none runs there (UDP to other JVMs, IPC inside this one). Checks before it starts a driver that its
 * directory is writable and has room, and says which and why when not. Close it to stop an embedded driver and delete
 * its directory; a shared driver keeps running for the host's other JVMs.
 */
public final class DataPlane implements AutoCloseable {
    /** Stream id of gradient messages (worker → coordinator). */
    public static final int GRAD_STREAM = 1001;
    /** First stream id of parameter messages (coordinator → worker); IPC adds the job's offset and the worker id. */
    public static final int PARAMS_STREAM = 2001;
    /** Stream ids a job owns: its gradient stream GRAD_STREAM + SPAN·slot, its workers' IPC streams PARAMS_STREAM + SPAN·slot + id. */
    public static final int SPAN = 10_000;

    /**
     * The IPC stream of a worker's parameters in the job whose gradient stream is gradStream: offset like the
     * gradient stream, so jobs that share a driver (a search's groups, two coordinators on one host's driver) never
     * share a stream.
     */
    public static int ipcParamsStream(int gradStream, int workerId) {
        return PARAMS_STREAM + (gradStream - GRAD_STREAM) + workerId;
    }

    /** The gradient stream of a training job (not a search's group): a slot in 100 000 … 199 999 from its random id. */
    public static int jobGradStream(long jobId) {
        return GRAD_STREAM + SPAN * (100_000 + (int) Math.floorMod(jobId, 100_000L));
    }

    /** The smallest MTU at which a chunk is sized to fit one Aeron frame (see {@link Settings#chunkBytes}). */
    static final int SINGLE_FRAME_MTU = 32 * 1024;
    /** Aeron's data frame header, which each frame's MTU includes. */
    static final int AERON_DATA_HEADER = io.aeron.protocol.DataHeaderFlyweight.HEADER_LENGTH;

    /** The data-plane settings (HOCON {@code dptrain.data-plane}). */
    public record Settings(String host, int port, int mtu, int termLength, String aeronDir, boolean mac,
                           boolean ipcMac) {
        /** Reads dptrain.data-plane, naming any bad value. */
        public static Settings from(Config c, String defaultHost) {
            Config d;
            String host;
            int port;
            int mtu;
            long term;
            String mac;
            boolean ipcMac;
            try {
                d = c.getConfig("dptrain.data-plane");
                host = d.getString("host").isEmpty() ? defaultHost : d.getString("host");
                port = d.getInt("port");
                mtu = d.getInt("mtu");
                term = d.getBytes("term-length");
                mac = d.getString("mac").toLowerCase(Locale.ROOT);
                ipcMac = d.getBoolean("ipc-mac");
            } catch (com.typesafe.config.ConfigException e) {
                throw new IllegalArgumentException("invalid dptrain.data-plane setting: " + e.getMessage());
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("invalid dptrain.data-plane.port: " + port + " (expected 0..65535)");
            }
            if (mtu < 1408 || mtu > 65504 || mtu % 32 != 0) {
                throw new IllegalArgumentException("invalid dptrain.data-plane.mtu: " + mtu
                        + " (expected a multiple of 32 from 1408 to 65504)");
            }
            if (term < 65536 || term > (1L << 30) || Long.bitCount(term) != 1) {
                throw new IllegalArgumentException("invalid dptrain.data-plane.term-length: " + term
                        + " (expected a power of two from 64k to 1g)");
            }
            if (mtu > term / 8) {
                throw new IllegalArgumentException("invalid dptrain.data-plane.mtu: " + mtu + " is larger than "
                        + "term-length / 8 = " + term / 8 + " (an Aeron message must fit in an eighth of a term); "
                        + "lower the MTU (--mtu) or raise dptrain.data-plane.term-length");
            }
            if (!mac.equals("aes-gcm") && !mac.equals("none")) {
                throw new IllegalArgumentException("invalid dptrain.data-plane.mac: '" + mac
                        + "' (expected aes-gcm or none)");
            }
            return new Settings(host, port, mtu, (int) term, d.getString("aeron-dir"), mac.equals("aes-gcm"), ipcMac);
        }

        /**
         * Payload bytes per chunk. A chunk is one Aeron message of at most term-length / 8. With an MTU of at least
         * {@link #SINGLE_FRAME_MTU} (in practice loopback: a 9000-byte jumbo frame allows an MTU of 8960) a chunk
         * fits one frame: Aeron then hands it over where it lies in the term, where a longer one is fragmented and
         * copied whole into a reassembly buffer first. Smaller MTUs keep the long chunks, since per-chunk costs
         * (header, seal, poll) would outweigh that copy. {@link #from} keeps the MTU within an eighth of a term, so
         * the minimum only guards a Settings built directly.
         */
        public int chunkBytes() {
            int longest = termLength / 8 - Frame.LENGTH;
            int oneFrame = mtu - AERON_DATA_HEADER - Frame.LENGTH;
            return (mtu >= SINGLE_FRAME_MTU ? Math.min(longest, oneFrame) : longest) & ~3;
        }
    }

    private final Settings settings;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final Path dir;
    /** Said once, when this plane first uses UDP (IPC inside one JVM does not go through sockets). */
    private final String bufferWarning;
    private final AtomicBoolean warned = new AtomicBoolean();

    private DataPlane(Settings settings, MediaDriver driver, Aeron aeron, Path dir, String bufferWarning) {
        this.bufferWarning = bufferWarning;
        this.settings = settings;
        this.driver = driver;
        this.aeron = aeron;
        this.dir = dir;
    }

    /**
     * Connects to the media driver running in the settings' aeron-dir, or, when none runs there (or none is set),
     * checks the directory, starts one in this JVM and connects to it; says clearly what is wrong.
     */
    public static DataPlane start(Settings s) {
        if (!s.aeronDir().isEmpty() && driverRunning(Path.of(s.aeronDir()))) {
            return connect(s, Path.of(s.aeronDir()));
        }
        Path dir = dirOf(s);
        preflight(dir, s);
        Buffers b = Buffers.fit(kernelLimit("rmem_max"), kernelLimit("wmem_max"), s.mtu());
        MediaDriver driver;
        try {
            makePrivateDir(dir);
            driver = MediaDriver.launchEmbedded(driverContext(s, dir, b));
            ownerOnly(dir); // Aeron re-makes an inactive driver's directory (with the umask's mode) as it starts
            writeDriverId(dir);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot start the Aeron media driver in " + dir + ": " + e.getMessage(), e);
        }
        try {
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            return new DataPlane(s, driver, aeron, dir, b.warning());
        } catch (RuntimeException e) {
            driver.close();
            throw new IllegalStateException("cannot connect to the Aeron media driver in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes dir, new and rwx------, for a driver about to start in it (Aeron re-makes it as the driver starts, so callers
     * set the mode again at once, before any term buffer exists). An existing dir is replaced only if it is an Aeron directory (a stopped driver's: it has Aeron's
     * cnc.dat, or nothing); anything else is refused, naming it, since the driver would delete what is in it.
     */
    static void makePrivateDir(Path dir) {
        try {
            if (Files.exists(dir)) {
                boolean aeron;
                try (var list = Files.list(dir)) {
                    aeron = Files.exists(dir.resolve("cnc.dat")) || list.findAny().isEmpty();
                }
                if (!aeron) {
                    throw new IllegalStateException("the Aeron directory " + dir + " holds files that are not a media "
                            + "driver's and no driver runs there; give dptrain.data-plane.aeron-dir (--aeron-dir) a new "
                            + "path, or the directory of the host's running driver");
                }
                dptrain.util.FileTrees.deleteQuietly(dir); // what is left makes createDirectory fail, naming it
            }
            Files.createDirectory(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            ownerOnly(dir); // createDirectory's mode is masked by the umask
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("cannot make the Aeron directory " + dir + " (" + e + ")", e);
        }
    }

    /** Whether dir is this user's alone (owner and rwx------): only then may IPC jobs in it go unsealed. */
    private static boolean privateDir(Path dir) {
        try {
            String me = System.getProperty("user.name");
            return Files.getOwner(dir).getName().equals(me) && Files.getPosixFilePermissions(dir).equals(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * A client of the driver already running in dir (the host's, e.g. one {@link HostDriver} for a local cluster's
     * JVMs). If that driver stops answering, this JVM cannot send or receive anything more: it says so, naming the
     * directory, and exits (its cluster peers then see it leave and give its work to others).
     */
    static DataPlane connect(Settings s, Path dir) {
        try {
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir.toString())
                    .errorHandler(e -> {
                        if (e instanceof io.aeron.exceptions.DriverTimeoutException
                                || e instanceof io.aeron.exceptions.ClientTimeoutException) {
                            System.err.println("dptrain: the Aeron media driver in " + dir + " stopped answering or "
                                    + "dropped this client (" + e.getMessage() + "); this node cannot send or receive "
                                    + "training data, exiting");
                            // Not on the client's own thread, which holds its lock while shutdown hooks close it.
                            new Thread(() -> System.exit(1), "dptrain-driver-lost").start();
                            return;
                        }
                        System.err.println("dptrain: Aeron client error (driver " + dir + "): " + e);
                    }));
            return new DataPlane(s, null, aeron, dir, null);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot connect to the Aeron media driver running in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /** Whether a media driver runs in dir (its command-and-control file is there and its heartbeat is recent). */
    public static boolean driverRunning(Path dir) {
        return Files.isDirectory(dir) && io.aeron.CommonContext.isDriverActive(dir.toFile(), 5_000, msg -> { });
    }

    /** The driver's settings: shared by a driver embedded in a JVM and a host's {@link HostDriver}. */
    static MediaDriver.Context driverContext(Settings s, Path dir, Buffers b) {
        return new MediaDriver.Context()
                .aeronDirectoryName(dir.toString())
                .dirDeleteOnStart(false) // checked (an Aeron directory) and made private by makePrivateDir
                .dirDeleteOnShutdown(true)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(idle())
                // The async executor parses (and resolves) the channel of every UDP publication, subscription and
                // destination the driver is asked to add; the conductor takes no other client command meanwhile.
                // Aeron's default idle for it sleeps 1 ms at a time: ~800 wakeups/s, 1.3 % of a core per JVM on a
                // small VM, nearly all with nothing to do. With 20 ms, each such add may wait up to 20 ms longer:
                // a few times at the start of a job, never per step.
                .asyncExecutorIdleStrategy(new SleepingMillisIdleStrategy(20))
                .termBufferSparseFile(true)
                .publicationTermBufferLength(s.termLength())
                .ipcTermBufferLength(s.termLength())
                .mtuLength(s.mtu())
                .ipcMtuLength(s.mtu())
                .socketRcvbufLength(b.rcvbuf())
                .socketSndbufLength(b.sndbuf())
                .initialWindowLength(b.window())
                .publicationConnectionTimeoutNs(TimeUnit.SECONDS.toNanos(5))
                .warnIfDirectoryExists(false);
    }

    /** The file in a driver's directory that names that driver instance (see {@link #driverId()}). */
    public static final String DRIVER_ID_FILE = "dptrain-driver-id";

    /** Names a driver just started in dir with a random id, written atomically. */
    static void writeDriverId(Path dir) {
        try {
            dptrain.util.AtomicFiles.writeString(dir.resolve(DRIVER_ID_FILE), java.util.UUID.randomUUID().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(DRIVER_ID_FILE), e);
        }
    }

    /**
     * Which driver instance this plane is a client of: the same id on two nodes means they share a driver (one host,
     * one directory, one driver run), so they can talk over IPC; a directory of the same name on another host or
     * in another mount namespace, or a later driver in the same one, has another id.
     */
    public String driverId() {
        try {
            return Files.readString(dir.resolve(DRIVER_ID_FILE)).trim();
        } catch (IOException e) {
            return "unnamed:" + ProcessHandle.current().pid() + ":" + dir; // a driver dptrain did not start: matches no other node
        }
    }

    /**
     * A new per-job secret for the data plane's AES-GCM, or null for none: none when mac = none, and none for a job
     * whose every path is IPC on this plane's driver unless ipc-mac (or the driver is another's, in a directory that is
     * not this user's alone). Such messages stay in the driver's directory, which
     * {@link #ownerOnly} keeps to this user, who can read the JVMs' memory anyway; every network path keeps the MAC.
     */
    public byte[] jobSecret(boolean ipcOnly) {
        boolean unsealed = ipcOnly && !settings.ipcMac() && (driver != null || privateDir(dir));
        return settings.mac() && !unsealed ? Authenticator.newSecret() : null;
    }

    /** Makes a driver directory this user's alone (rwx------), before any term buffer is made in it. */
    static void ownerOnly(Path dir) {
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("cannot make the Aeron directory " + dir + " private to this user ("
                    + e + "); set dptrain.data-plane.aeron-dir to a directory on a POSIX file system", e);
        }
    }

    /** Whether this plane shares a driver running outside this JVM (else it embeds its own). */
    public boolean sharedDriver() {
        return driver == null;
    }

    /** The receive window we ask for (holds a SimpleConvNet vector), the send buffer, and the receive buffer (twice the window). */
    static final int WANTED_WINDOW = 2 * 1024 * 1024;
    static final int WANTED_SNDBUF = 2 * 1024 * 1024;
    static final int WANTED_RCVBUF = 2 * WANTED_WINDOW;

    /**
     * UDP socket buffers and the receiver window (bytes a sender may have in flight) within the kernel's limits. The
     * kernel silently caps SO_RCVBUF at net.core.rmem_max (212 992 bytes on a stock Linux), and a window larger than
     * what the socket holds makes the receiver drop datagrams whenever its driver thread is late: every loss then
     * costs a NAK and a retransmit, which measured 4-5 times slower steps on a local cluster. So the window is half
     * the receive buffer (2 MB, a whole SimpleConvNet vector, when the kernel allows a 4 MB buffer), and a capped buffer
     * is reported with the command that lifts the cap.
     */
    record Buffers(int rcvbuf, int sndbuf, int window, String warning) {
        static Buffers fit(long rmemMax, long wmemMax, int mtu) {
            int rcv = rmemMax > 0 ? (int) Math.min(WANTED_RCVBUF, rmemMax) : WANTED_RCVBUF;
            int snd = wmemMax > 0 ? (int) Math.min(WANTED_SNDBUF, wmemMax) : WANTED_SNDBUF;
            int frame = mtu + 64; // a frame with its header
            if (rcv / 2 < frame || snd < frame) {
                throw new IllegalStateException(String.format(Locale.ROOT, "data-plane preflight: the kernel caps UDP "
                        + "socket buffers at %d (net.core.rmem_max) and %d (net.core.wmem_max) bytes, too small for "
                        + "two frames of MTU %d; lower dptrain.data-plane.mtu (--mtu) or raise the limits: sysctl -w "
                        + "net.core.rmem_max=%d net.core.wmem_max=%d", rmemMax, wmemMax, mtu, WANTED_RCVBUF,
                        WANTED_SNDBUF));
            }
            int window = rcv / 2;
            String warning = null;
            if (rcv < WANTED_RCVBUF || snd < WANTED_SNDBUF) {
                warning = String.format(Locale.ROOT, "the kernel caps UDP socket buffers at %d (net.core.rmem_max) and %d "
                        + "(net.core.wmem_max) bytes, so the data plane sends at most %d KB ahead of the receiver and is "
                        + "slower between JVMs; to lift the cap: sysctl -w net.core.rmem_max=%d net.core.wmem_max=%d",
                        rmemMax, wmemMax, window / 1024, WANTED_RCVBUF, WANTED_SNDBUF);
            }
            return new Buffers(rcv, snd, window, warning);
        }
    }

    /** A net.core limit from /proc/sys (Linux), or -1 when it cannot be read. */
    static long kernelLimit(String name) {
        // Read line-wise: Files.readString on procfs (which reports size 0) returned only the first byte here.
        try (var r = Files.newBufferedReader(Path.of("/proc/sys/net/core", name))) {
            String line = r.readLine();
            return line == null ? -1 : Long.parseLong(line.trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A backoff idle strategy: spins briefly, then yields, then parks up to 100 µs; never a busy spin while idle. */
    public static IdleStrategy idle() {
        return new BackoffIdleStrategy(50, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100));
    }

    /**
     * A new directory for a host driver started by this process (named after this process, so {@link #removeOrphans}
     * sweeps it if both die without cleaning up).
     */
    public static Path hostDriverDir() {
        Path d = defaultDir();
        return d.resolveSibling(d.getFileName() + "-host");
    }

    private static Path defaultDir() {
        Path shm = Path.of("/dev/shm");
        Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        removeOrphans(base);
        return base.resolve(DIR_PREFIX + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime()));
    }

    private static final String DIR_PREFIX = "dptrain-aeron-";

    /**
     * Deletes driver directories left by dptrain processes that no longer run (killed with SIGKILL, so their
     * shutdown hooks never ran): each holds term buffers in shared memory. Best effort; a directory of a live
     * process is never touched. Called at every start on the default base; tests call it after killing a JVM.
     */
    public static void removeOrphans(Path base) {
        try (var dirs = Files.newDirectoryStream(base, DIR_PREFIX + "*")) {
            for (Path d : dirs) {
                String rest = d.getFileName().toString().substring(DIR_PREFIX.length());
                int dash = rest.indexOf('-');
                long pid;
                try {
                    pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).isPresent()) {
                    continue;
                }
                dptrain.util.FileTrees.deleteQuietly(d);
            }
        } catch (java.io.IOException | RuntimeException e) {
            // best effort: leftovers only cost memory, never correctness
        }
    }

    /** The Aeron directory these settings name (a new per-process one under /dev/shm when none is set). */
    private static Path dirOf(Settings s) {
        return s.aeronDir().isEmpty() ? defaultDir() : Path.of(s.aeronDir());
    }

    /** The checks {@link #start} makes before it starts a driver (directory, free space, socket limits), alone. */
    static void preflight(Settings s) {
        preflight(dirOf(s), s);
        Buffers.fit(kernelLimit("rmem_max"), kernelLimit("wmem_max"), s.mtu());
    }

    /** Fails with a message naming the directory if it cannot be written or lacks room for the term buffers. */
    private static void preflight(Path dir, Settings s) {
        Path parent = dir.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new IllegalStateException("data-plane preflight: the Aeron directory's parent " + parent
                    + " does not exist (set dptrain.data-plane.aeron-dir in a --config file)");
        }
        if (!Files.isWritable(parent)) {
            throw new IllegalStateException("data-plane preflight: cannot write to " + parent
                    + " (set dptrain.data-plane.aeron-dir in a --config file to a writable directory)");
        }
        // Room for the driver's files and a few publications and images of three terms each (sparse files, but
        // they fill up as data flows).
        long need = 16L * 1024 * 1024 + 8L * 3 * s.termLength();
        try {
            long free = Files.getFileStore(parent).getUsableSpace();
            if (free < need) {
                throw new IllegalStateException(String.format(Locale.ROOT, "data-plane preflight: %s has %.1f MB free, "
                        + "the Aeron media driver needs about %.1f MB (term length %d); free space or set "
                        + "dptrain.data-plane.aeron-dir (in a --config file) elsewhere", parent, free / 1e6, need / 1e6, s.termLength()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("data-plane preflight: cannot read free space of " + parent, e);
        }
    }

    /** The settings it runs with. */
    public Settings settings() {
        return settings;
    }

    /** A UDP channel to or on host:port with this plane's MTU and term length. */
    public String udpChannel(String host, int port) {
        if (bufferWarning != null && warned.compareAndSet(false, true)) {
            System.err.println("dptrain: " + bufferWarning);
        }
        return "aeron:udp?endpoint=" + host + ":" + port + "|mtu=" + settings.mtu() + "|term-length=" + settings.termLength();
    }

    /** The IPC channel (between clients of this plane's driver: one JVM, or the JVMs of a host sharing its driver). */
    public String ipcChannel() {
        return "aeron:ipc?term-length=" + settings.termLength() + "|mtu=" + settings.mtu();
    }

    /** The endpoint a node advertises for IPC (it shares the coordinator's driver). */
    public static final String IPC_ENDPOINT = "ipc";

    /** The channel to an advertised endpoint: {@link #IPC_ENDPOINT}, or "host:port" for UDP. */
    public String channel(String endpoint) {
        if (endpoint.equals(IPC_ENDPOINT)) {
            return ipcChannel();
        }
        int i = endpoint.lastIndexOf(':');
        return udpChannel(endpoint.substring(0, i), Integer.parseInt(endpoint.substring(i + 1)));
    }

    /** The UDP port a subscription listens on (resolves port 0); fails after 5 s naming host and port. */
    public int boundPort(Subscription s, String host, int port) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            java.util.List<String> a = s.localSocketAddresses();
            if (!a.isEmpty()) {
                return Integer.parseInt(a.get(0).substring(a.get(0).lastIndexOf(':') + 1));
            }
            Thread.onSpinWait();
        }
        throw new IllegalStateException("data-plane preflight: cannot listen on UDP " + host + ":" + port
                + " within 5 s (address not local, or port in use?)");
    }

    /**
     * A publication of its own (an exclusive publication: its own session, used by one thread). Never a shared one:
     * two senders in one JVM on the same IPC stream would share a session, and their chunks would interleave in it.
     */
    public Publication publication(String channel, int stream) {
        return aeron.addExclusivePublication(channel, stream);
    }

    /** A subscription. */
    public Subscription subscription(String channel, int stream) {
        return aeron.addSubscription(channel, stream);
    }

    /**
     * The media driver's non-zero counters that tell of trouble on the wire (NAKs, retransmits, loss, short sends,
     * flow-control limits, errors), "label=value" joined by commas; "" when there are none.
     */
    public String troubleCounters() {
        StringBuilder sb = new StringBuilder();
        var reader = aeron.countersReader();
        reader.forEach((id, type, key, label) -> {
            String l = label.toLowerCase(Locale.ROOT);
            if (type != 0 || !(l.contains("nak") || l.contains("retransmit") || l.contains("loss")
                    || l.contains("short") || l.contains("flow control") || l.contains("error")
                    || l.contains("back pressure") || l.contains("heartbeat"))) {
                return;
            }
            long v = reader.getCounterValue(id);
            if (v != 0) {
                sb.append(sb.length() == 0 ? "" : ", ").append(label).append('=').append(v);
            }
        });
        return sb.toString();
    }

    /** The Aeron client. */
    public Aeron aeron() {
        return aeron;
    }

    /** The media driver's directory. */
    public Path directory() {
        return dir;
    }

    @Override
    public void close() {
        aeron.close();
        if (driver != null) {
            driver.close();
        }
    }
}

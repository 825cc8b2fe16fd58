package dptrain.cluster.transport;

import java.util.function.Supplier;

/**
 * A worker node's data plane, started when its first training job needs it: a node that only runs a search's trials
 * (which talk over Akka alone) never starts a media driver, whose idle polling would take CPU from the trials. The
 * preflight checks (directory, free space, the kernel's socket limits) still run at once, so a bad setting is named
 * when the node starts, not at its first job.
 */
public final class LazyDataPlane implements Supplier<DataPlane>, AutoCloseable {
    private final DataPlane.Settings settings;
    private DataPlane plane;

    /** Checks the settings now; the driver starts on the first {@link #get()}. */
    public LazyDataPlane(DataPlane.Settings settings) {
        this.settings = settings;
        DataPlane.preflight(settings);
    }

    /** The data plane, started on the first call. */
    @Override
    public synchronized DataPlane get() {
        if (plane == null) {
            plane = DataPlane.start(settings);
        }
        return plane;
    }

    /** Whether a job has started the data plane. */
    public synchronized boolean started() {
        return plane != null;
    }

    @Override
    public synchronized void close() {
        if (plane != null) {
            plane.close();
            plane = null;
        }
    }
}

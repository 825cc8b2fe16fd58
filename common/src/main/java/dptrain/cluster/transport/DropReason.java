package dptrain.cluster.transport;

/** Why a data-plane message was dropped instead of applied; each is counted and shown in the metrics. */
public enum DropReason {
    /** Too short for a header, or not our magic number. */
    MALFORMED,
    /** Offset, length or total inconsistent, out of sequence, or not the size the model needs. */
    BAD_LENGTH,
    /** The payload's CRC32C does not match the header's. */
    BAD_CHECKSUM,
    /** The MAC does not match: not signed with this job's secret. */
    BAD_MAC,
    /** A job id this node is not running. */
    UNKNOWN_JOB,
    /** A sender id this node does not know. */
    UNKNOWN_SENDER,
    /** A step or parameter version other than the current one. */
    STALE,
    /** A shard already accepted for this step. */
    DUPLICATE,
    /** A shard this step does not have. */
    UNKNOWN_SHARD;

    /** The name used in metrics, e.g. "bad_checksum". */
    public String metricName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

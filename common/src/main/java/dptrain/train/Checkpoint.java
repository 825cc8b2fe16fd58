package dptrain.train;

import dptrain.util.AtomicFiles;
import dptrain.util.JsonCodec;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * A training checkpoint: the config identity, the number of completed steps, the parameters, the state, the
 * optimizer's buffers and the bookkeeping a resumed run needs to end with the same bits. Binary, CRC-32 checked,
 * written atomically.
 */
public record Checkpoint(Map<String, Object> identity, long step, double trainSeconds, double epochLossSum,
                         int epochSteps, double lastFiniteLoss, float[] params, float[] state,
                         long optimizerSteps, List<float[]> optimizerState) {
    private static final int MAGIC = 0x44505443; // "DPTC"
    private static final int VERSION = 1;

    /** Writes the checkpoint atomically (temp file, fsync, rename). */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, raw -> {
            CheckedOutputStream checked = new CheckedOutputStream(raw, new CRC32());
            DataOutputStream out = new DataOutputStream(checked);
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            byte[] header = JsonCodec.write(identity).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(header.length);
            out.write(header);
            out.writeLong(step);
            out.writeDouble(trainSeconds);
            out.writeDouble(epochLossSum);
            out.writeInt(epochSteps);
            out.writeDouble(lastFiniteLoss);
            writeFloats(out, params);
            writeFloats(out, state);
            out.writeLong(optimizerSteps);
            out.writeInt(optimizerState.size());
            for (float[] b : optimizerState) {
                writeFloats(out, b);
            }
            out.flush();
            out.writeLong(checked.getChecksum().getValue());
            out.flush();
        });
    }

    private static void writeFloats(DataOutputStream out, float[] a) throws IOException {
        out.writeInt(a.length);
        byte[] buf = new byte[4 * Math.min(a.length, 1 << 16)];
        for (int i = 0; i < a.length; ) {
            int n = Math.min(a.length - i, buf.length / 4);
            java.nio.ByteBuffer.wrap(buf).asFloatBuffer().put(a, i, n);
            out.write(buf, 0, 4 * n);
            i += n;
        }
    }

    private static float[] readFloats(java.nio.ByteBuffer in, Path file) throws IOException {
        int n = in.getInt();
        if (n < 0 || (long) n * 4 > in.remaining()) {
            throw new IOException(file + " is not a valid checkpoint (an array of " + n + " floats where "
                    + in.remaining() + " bytes remain)");
        }
        float[] a = new float[n];
        in.asFloatBuffer().get(a);
        in.position(in.position() + 4 * n);
        return a;
    }

    /**
     * Reads and verifies a checkpoint; a missing, truncated, corrupt or foreign file gets an IOException naming
     * it. The CRC over the whole file is checked before anything in it is trusted.
     */
    public static Checkpoint read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException("checkpoint " + file + " does not exist", e);
        }
        if (bytes.length < 16 || java.nio.ByteBuffer.wrap(bytes).getInt() != MAGIC) {
            throw new IOException(file + " is not a dptrain checkpoint (wrong magic number)");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        long stored = java.nio.ByteBuffer.wrap(bytes, bytes.length - 8, 8).getLong();
        if (stored != crc.getValue()) {
            throw new IOException(file + " is corrupt or truncated (CRC-32 mismatch)");
        }
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes, 0, bytes.length - 8);
        try {
            in.getInt();
            int version = in.getInt();
            if (version != VERSION) {
                throw new IOException(file + " has checkpoint format version " + version + "; this build reads " + VERSION);
            }
            int hl = in.getInt();
            if (hl < 0 || hl > in.remaining()) {
                throw new IOException(file + " is not a valid checkpoint (header length " + hl + ")");
            }
            byte[] header = new byte[hl];
            in.get(header);
            Map<String, Object> identity;
            try {
                identity = JsonCodec.readObject(new String(header, java.nio.charset.StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " has an unreadable header: " + e.getMessage(), e);
            }
            long step = in.getLong();
            double secs = in.getDouble();
            double els = in.getDouble();
            int es = in.getInt();
            double lfl = in.getDouble();
            float[] params = readFloats(in, file);
            float[] state = readFloats(in, file);
            long optSteps = in.getLong();
            int nb = in.getInt();
            if (nb < 0 || nb > 16) {
                throw new IOException(file + " is not a valid checkpoint (" + nb + " optimizer buffers)");
            }
            List<float[]> opt = new ArrayList<>();
            for (int i = 0; i < nb; i++) {
                opt.add(readFloats(in, file));
            }
            return new Checkpoint(identity, step, secs, els, es, lfl, params, state, optSteps, opt);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IOException(file + " is truncated: not a complete checkpoint", e);
        }
    }
}

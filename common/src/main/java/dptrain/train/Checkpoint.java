package dptrain.train;

import dptrain.util.AtomicFiles;
import dptrain.util.Json;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
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
            byte[] header = Json.write(identity).getBytes(java.nio.charset.StandardCharsets.UTF_8);
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

    private static float[] readFloats(DataInputStream in, Path file) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > (1 << 29)) {
            throw new IOException(file + " is not a valid checkpoint (array length " + n + ")");
        }
        byte[] buf = new byte[4 * n];
        in.readFully(buf);
        float[] a = new float[n];
        java.nio.ByteBuffer.wrap(buf).asFloatBuffer().get(a);
        return a;
    }

    /** Reads and verifies a checkpoint; a missing, truncated or corrupt file gets an IOException naming it. */
    public static Checkpoint read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            CheckedInputStream checked = new CheckedInputStream(raw, new CRC32());
            DataInputStream in = new DataInputStream(checked);
            if (in.readInt() != MAGIC) {
                throw new IOException(file + " is not a dptrain checkpoint (wrong magic number)");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException(file + " has checkpoint format version " + version + "; this build reads " + VERSION);
            }
            int hl = in.readInt();
            if (hl < 0 || hl > (1 << 20)) {
                throw new IOException(file + " is not a valid checkpoint (header length " + hl + ")");
            }
            byte[] header = new byte[hl];
            in.readFully(header);
            Map<String, Object> identity = Json.parseObject(new String(header, java.nio.charset.StandardCharsets.UTF_8));
            long step = in.readLong();
            double secs = in.readDouble();
            double els = in.readDouble();
            int es = in.readInt();
            double lfl = in.readDouble();
            float[] params = readFloats(in, file);
            float[] state = readFloats(in, file);
            long optSteps = in.readLong();
            int nb = in.readInt();
            if (nb < 0 || nb > 16) {
                throw new IOException(file + " is not a valid checkpoint (" + nb + " optimizer buffers)");
            }
            List<float[]> opt = new ArrayList<>();
            for (int i = 0; i < nb; i++) {
                opt.add(readFloats(in, file));
            }
            long expected = checked.getChecksum().getValue();
            long stored = new DataInputStream(raw).readLong();
            if (stored != expected) {
                throw new IOException(file + " is corrupt (CRC-32 mismatch)");
            }
            return new Checkpoint(identity, step, secs, els, es, lfl, params, state, optSteps, opt);
        } catch (NoSuchFileException e) {
            throw new IOException("checkpoint " + file + " does not exist", e);
        } catch (EOFException e) {
            throw new IOException(file + " is truncated: not a complete checkpoint", e);
        }
    }
}

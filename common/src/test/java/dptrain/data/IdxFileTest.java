package dptrain.data;

import static dptrain.data.IdxTestFiles.doubles;
import static dptrain.data.IdxTestFiles.floats;
import static dptrain.data.IdxTestFiles.idx;
import static dptrain.data.IdxTestFiles.ints;
import static dptrain.data.IdxTestFiles.shorts;
import static dptrain.data.IdxTestFiles.ubytes;
import static dptrain.data.IdxTestFiles.write;
import static dptrain.data.IdxTestFiles.writeIdx;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFileTest {

    @TempDir
    Path tmp;

    @Test
    void readsUnsignedBytesInThreeDims() {
        Path file = writeIdx(tmp.resolve("a.idx"), IdxFile.UBYTE, new int[] {2, 2, 3},
                ubytes(0, 1, 2, 127, 128, 255, 9, 8, 7, 6, 5, 4));
        IdxFile idx = IdxFile.read(file);
        assertEquals(IdxFile.UBYTE, idx.type());
        assertArrayEquals(new int[] {2, 2, 3}, idx.dims());
        assertEquals(12, idx.elementCount());
        assertEquals(255f, idx.getFloat(5));
        assertEquals(128f, idx.getFloat(4));
        assertArrayEquals(ubytes(0, 1, 2, 127, 128, 255, 9, 8, 7, 6, 5, 4), idx.rawBytes());
        assertArrayEquals(new float[] {0, 1, 2, 127, 128, 255, 9, 8, 7, 6, 5, 4}, idx.toFloatArray());
        assertEquals(file.toAbsolutePath(), idx.path());
    }

    @Test
    void readsSignedBytesAndShorts() {
        IdxFile bytes = IdxFile.read(writeIdx(tmp.resolve("b"), IdxFile.BYTE, new int[] {3}, ubytes(0xFF, 0x80, 5)));
        assertArrayEquals(new float[] {-1, -128, 5}, bytes.toFloatArray());
        IdxFile s = IdxFile.read(writeIdx(tmp.resolve("s"), IdxFile.SHORT, new int[] {1, 3},
                shorts(-2, 32767, -32768)));
        assertArrayEquals(new float[] {-2, 32767, -32768}, s.toFloatArray());
    }

    @Test
    void readsIntsInTwoDims() {
        int[] values = {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 65536, 42};
        IdxFile idx = IdxFile.read(writeIdx(tmp.resolve("i"), IdxFile.INT, new int[] {3, 2}, ints(values)));
        assertEquals(IdxFile.INT, idx.type());
        assertArrayEquals(new int[] {3, 2}, idx.dims());
        for (int i = 0; i < values.length; i++) {
            assertEquals(values[i], idx.getDouble(i));
        }
    }

    @Test
    void readsFloatsAndDoublesInFourDims() {
        float[] values = {1.5f, -0f, Float.MIN_VALUE, 3.25e10f, -7f, 0.1f, 2f, 3f};
        IdxFile f = IdxFile.read(writeIdx(tmp.resolve("f"), IdxFile.FLOAT, new int[] {1, 2, 2, 2}, floats(values)));
        assertArrayEquals(values, f.toFloatArray());
        assertEquals(8, f.elementCount());
        IdxFile d = IdxFile.read(writeIdx(tmp.resolve("d"), IdxFile.DOUBLE, new int[] {2}, doubles(Math.PI, -1e300)));
        assertEquals(Math.PI, d.getDouble(0));
        assertEquals(-1e300, d.getDouble(1));
    }

    @Test
    void acceptsZeroSizedDimension() {
        IdxFile idx = IdxFile.read(writeIdx(tmp.resolve("z"), IdxFile.UBYTE, new int[] {0, 28, 28}, new byte[0]));
        assertEquals(0, idx.elementCount());
        assertEquals(0, idx.rawBytes().length);
    }

    @Test
    void rawBytesIsACopyAndOnlyForUnsignedBytes() {
        IdxFile idx = IdxFile.read(writeIdx(tmp.resolve("a"), IdxFile.UBYTE, new int[] {2}, ubytes(1, 2)));
        idx.rawBytes()[0] = 99;
        assertEquals(1f, idx.getFloat(0));
        IdxFile ints = IdxFile.read(writeIdx(tmp.resolve("i"), IdxFile.INT, new int[] {1}, ints(1)));
        assertThrows(IllegalStateException.class, ints::rawBytes);
        assertThrows(IndexOutOfBoundsException.class, () -> idx.getFloat(2));
    }

    @Test
    void missingFile() {
        Path file = tmp.resolve("nope-idx1-ubyte");
        DataException e = assertThrows(DataException.class, () -> IdxFile.read(file));
        assertTrue(e.getMessage().startsWith(file.toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void directoryIsNotARegularFile() {
        DataException e = assertThrows(DataException.class, () -> IdxFile.read(tmp));
        assertMessage(e, tmp, "not a regular file");
    }

    @Test
    void wrongMagic() {
        Path file = write(tmp.resolve("gz"), new byte[] {0x1F, (byte) 0x8B, 8, 0, 1, 2, 3, 4});
        DataException e = assertThrows(DataException.class, () -> IdxFile.read(file));
        assertMessage(e, file, "0x1F 0x8B 0x08 0x00");
        assertMessage(e, file, "starts with 0x00 0x00 <type> <ndims>");
        assertMessage(e, file, "gzip");
    }

    @Test
    void unknownType() {
        Path file = write(tmp.resolve("t"), idx(0x0A, new int[] {1}, new byte[1]));
        DataException e = assertThrows(DataException.class, () -> IdxFile.read(file));
        assertMessage(e, file, "unknown IDX element type 0x0A");
        assertMessage(e, file, "0x08 (unsigned byte)");
    }

    @Test
    void zeroDimensions() {
        Path file = write(tmp.resolve("z"), new byte[] {0, 0, 8, 0});
        DataException e = assertThrows(DataException.class, () -> IdxFile.read(file));
        assertMessage(e, file, "0 dimensions; expected at least 1");
    }

    @Test
    void negativeDimension() {
        Path file = write(tmp.resolve("n"), idx(IdxFile.UBYTE, new int[] {2, -5}, new byte[0]));
        DataException e = assertThrows(DataException.class, () -> IdxFile.read(file));
        assertMessage(e, file, "dimension 1 (of 2) is -5");
    }

    @Test
    void truncatedData() {
        byte[] full = idx(IdxFile.INT, new int[] {2, 3}, ints(1, 2, 3, 4, 5, 6));
        Path file = write(tmp.resolve("t"), Arrays.copyOf(full, full.length - 3));
        DataException e = assertThrows(DataException.class, () -> IdxFile.read(file));
        assertMessage(e, file, "implies 36 bytes (12 header + 24 data)");
        assertMessage(e, file, "the file is 33 bytes");
        assertMessage(e, file, "truncated");
    }

    @Test
    void truncatedHeader() {
        Path tiny = write(tmp.resolve("tiny"), new byte[] {0, 0});
        assertMessage(assertThrows(DataException.class, () -> IdxFile.read(tiny)), tiny, "truncated: it is 2 bytes");
        Path dims = write(tmp.resolve("dims"), new byte[] {0, 0, 8, 3, 0, 0, 0, 1});
        assertMessage(assertThrows(DataException.class, () -> IdxFile.read(dims)), dims, "header of 16 bytes");
    }

    @Test
    void trailingBytes() throws Exception {
        byte[] full = idx(IdxFile.UBYTE, new int[] {4}, ubytes(1, 2, 3, 4));
        Path file = write(tmp.resolve("t"), Arrays.copyOf(full, full.length + 2));
        DataException e = assertThrows(DataException.class, () -> IdxFile.read(file));
        assertMessage(e, file, "implies 12 bytes");
        assertMessage(e, file, "the file is 14 bytes");
        assertMessage(e, file, "2 unexpected trailing bytes");
        assertTrue(Files.exists(file));
    }

    static void assertMessage(DataException e, Path file, String expected) {
        String message = e.getMessage();
        assertTrue(message.contains(file.toAbsolutePath().toString()), "should name the file: " + message);
        assertTrue(message.contains(expected), "should contain '" + expected + "': " + message);
    }
}

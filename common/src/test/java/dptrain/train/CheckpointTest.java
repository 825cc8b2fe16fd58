package dptrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path tmp;

    private Checkpoint sample() {
        return new Checkpoint(Map.of("lr", 0.1, "model", "two-layer"), 42, 1.5, 2.5, 3, 0.25,
                new float[] {1f, -2f, Float.MIN_VALUE}, new float[] {0.5f}, 42, List.of(new float[] {3f, 4f, 5f}));
    }

    @Test
    void roundTrips() throws IOException {
        Path f = tmp.resolve("a.ckpt");
        sample().write(f);
        Checkpoint c = Checkpoint.read(f);
        assertEquals(42, c.step());
        assertArrayEquals(sample().params(), c.params());
        assertArrayEquals(sample().state(), c.state());
        assertArrayEquals(new float[] {3f, 4f, 5f}, c.optimizerState().get(0));
        assertEquals("two-layer", c.identity().get("model"));
        assertTrue(Files.list(tmp).noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temp file left");
    }

    @Test
    void corruptTruncatedAndForeignFilesAreNamed() throws IOException {
        Path f = tmp.resolve("b.ckpt");
        sample().write(f);
        byte[] bytes = Files.readAllBytes(f);
        bytes[bytes.length - 20] ^= 1;
        Files.write(f, bytes);
        IOException e = assertThrows(IOException.class, () -> Checkpoint.read(f));
        assertTrue(e.getMessage().contains("corrupt") && e.getMessage().contains("b.ckpt"), e.getMessage());

        sample().write(f);
        byte[] whole = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(whole, whole.length - 9));
        e = assertThrows(IOException.class, () -> Checkpoint.read(f));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Files.writeString(f, "hello, not a checkpoint");
        e = assertThrows(IOException.class, () -> Checkpoint.read(f));
        assertTrue(e.getMessage().contains("not a dptrain checkpoint"), e.getMessage());

        e = assertThrows(IOException.class, () -> Checkpoint.read(tmp.resolve("missing.ckpt")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }
}

package dptrain.data;

import static dptrain.data.IdxFileTest.assertMessage;
import static dptrain.data.IdxTestFiles.label;
import static dptrain.data.IdxTestFiles.mnistDir;
import static dptrain.data.IdxTestFiles.pixel;
import static dptrain.data.IdxTestFiles.ubytes;
import static dptrain.data.IdxTestFiles.writeIdx;
import static dptrain.data.IdxTestFiles.writeImages;
import static dptrain.data.IdxTestFiles.writeLabels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistTest {

    @TempDir
    Path tmp;

    @Test
    void loadsFlattenedNormalized() {
        Mnist mnist = Mnist.load(mnistDir(tmp, 12, 5), true, true);
        Dataset train = mnist.train();
        assertEquals("train", train.name());
        assertEquals(12, train.size());
        assertEquals(5, mnist.test().size());
        assertArrayEquals(new int[] {784}, train.sampleShape());
        assertEquals(784, train.sampleSize());
        assertEquals(10, train.classes());
        for (int i = 0; i < 12; i++) {
            assertEquals(label(i), train.label(i));
        }
        assertEquals(pixel(3, 100) / 255f, train.x()[3 * 784 + 100]);
        assertEquals(pixel(4, 783) / 255f, mnist.test().x()[4 * 784 + 783]);
        for (float v : train.x()) {
            assertTrue(v >= 0f && v <= 1f);
        }
    }

    @Test
    void loadsRawUnflattened() {
        Mnist mnist = Mnist.load(mnistDir(tmp, 3, 2), false, false);
        assertArrayEquals(new int[] {1, 28, 28}, mnist.train().sampleShape());
        assertEquals(784, mnist.train().sampleSize());
        assertEquals((float) pixel(2, 500), mnist.train().x()[2 * 784 + 500]);
        assertEquals(255f, maxOf(mnist.train().x()));
    }

    @Test
    void oneHotOfLoadedLabels() {
        Dataset test = Mnist.load(mnistDir(tmp, 1, 4), true, true).test();
        float[] oneHot = test.oneHot();
        assertEquals(40, oneHot.length);
        for (int i = 0; i < 4; i++) {
            for (int c = 0; c < 10; c++) {
                assertEquals(c == label(i) ? 1f : 0f, oneHot[i * 10 + c]);
            }
        }
    }

    @Test
    void imageAndLabelCountMismatch() {
        mnistDir(tmp, 6, 2);
        Path labels = writeLabels(tmp.resolve(Mnist.TRAIN_LABELS), 5);
        DataException e = assertThrows(DataException.class, () -> Mnist.load(tmp, true, true));
        assertMessage(e, tmp.resolve(Mnist.TRAIN_IMAGES), "holds 6 images");
        assertMessage(e, labels, "holds 5 labels");
    }

    @Test
    void wrongImageDimensions() {
        mnistDir(tmp, 2, 2);
        Path images = writeIdx(tmp.resolve(Mnist.TEST_IMAGES), IdxFile.UBYTE, new int[] {2, 20, 20}, new byte[800]);
        DataException e = assertThrows(DataException.class, () -> Mnist.load(tmp, true, true));
        assertMessage(e, images, "2x20x20");
        assertMessage(e, images, "expected 3 dims N x 28 x 28");
    }

    @Test
    void flatImagesAreRejected() {
        mnistDir(tmp, 2, 2);
        Path images = writeIdx(tmp.resolve(Mnist.TRAIN_IMAGES), IdxFile.UBYTE, new int[] {2, 784}, new byte[1568]);
        assertMessage(assertThrows(DataException.class, () -> Mnist.load(tmp, true, true)), images, "(2 dims)");
    }

    @Test
    void labelsMustBeUnsignedBytesInOneDim() {
        mnistDir(tmp, 2, 2);
        Path intLabels = writeIdx(tmp.resolve(Mnist.TRAIN_LABELS), IdxFile.INT, new int[] {2}, new byte[8]);
        assertMessage(assertThrows(DataException.class, () -> Mnist.load(tmp, true, true)),
                intLabels, "expected 0x08 (unsigned byte)");
        Path twoDims = writeIdx(tmp.resolve(Mnist.TRAIN_LABELS), IdxFile.UBYTE, new int[] {2, 1}, new byte[2]);
        assertMessage(assertThrows(DataException.class, () -> Mnist.load(tmp, true, true)),
                twoDims, "expected 1 dim");
    }

    @Test
    void labelOutOfRange() {
        mnistDir(tmp, 2, 5);
        Path labels = writeIdx(tmp.resolve(Mnist.TEST_LABELS), IdxFile.UBYTE, new int[] {5}, ubytes(1, 2, 9, 10, 200));
        DataException e = assertThrows(DataException.class, () -> Mnist.load(tmp, true, true));
        assertMessage(e, labels, "label at index 3 is 10, expected 0..9");
    }

    @Test
    void missingDirectoryAndMissingFile() {
        Path nowhere = tmp.resolve("nowhere");
        assertMessage(assertThrows(DataException.class, () -> Mnist.load(nowhere, true, true)),
                nowhere, "does not exist; expected the MNIST data directory");
        writeImages(tmp.resolve(Mnist.TRAIN_IMAGES), 1);
        assertMessage(assertThrows(DataException.class, () -> Mnist.load(tmp, true, true)),
                tmp.resolve(Mnist.TRAIN_LABELS), "does not exist");
    }

    @Test
    void checksumMismatch() {
        mnistDir(tmp, 2, 2);
        Path images = tmp.resolve(Mnist.TRAIN_IMAGES);
        DataException e = assertThrows(DataException.class, () -> Mnist.verifyChecksums(tmp));
        assertMessage(e, images, "expected " + Mnist.SHA256.get(Mnist.TRAIN_IMAGES));
        assertMessage(e, images, "but the file has " + Checksums.sha256(images));
    }

    @Test
    void checksumsAcceptMatchingFiles() {
        mnistDir(tmp, 2, 2);
        Map<String, String> actual = new HashMap<>();
        for (String name : Mnist.FILES) {
            actual.put(name, Checksums.sha256(tmp.resolve(name)));
        }
        Mnist.verifyChecksums(tmp, actual);
    }

    @Test
    void expectedSizesMatchTheFormat() {
        assertEquals(47_040_016L, Mnist.SIZES.get(Mnist.TRAIN_IMAGES));
        assertEquals(10_008L, Mnist.SIZES.get(Mnist.TEST_LABELS));
        assertEquals(Mnist.FILES.size(), Mnist.SHA256.size());
    }

    private static float maxOf(float[] values) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            max = Math.max(max, v);
        }
        return max;
    }
}

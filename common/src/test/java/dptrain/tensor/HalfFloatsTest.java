package dptrain.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** bfloat16 and binary16 conversions against hand-worked values, and round-to-nearest-even between every neighbour. */
class HalfFloatsTest {
    private static int fp16(float f) {
        return HalfFloats.toFp16(f) & 0xffff;
    }

    private static int bf16(float f) {
        return HalfFloats.toBfloat16(f) & 0xffff;
    }

    @Test
    void fp16HandWorkedValues() {
        assertEquals(0x3c00, fp16(1f));
        assertEquals(0xc000, fp16(-2f));
        assertEquals(0x0000, fp16(0f));
        assertEquals(0x8000, fp16(-0f));
        assertEquals(0x7bff, fp16(65504f), "the largest finite binary16");
        assertEquals(0x7bff, fp16(65519.996f), "just under the tie rounds down to 65504");
        assertEquals(0x7c00, fp16(65520f), "65520 ties to the even 65536: +Inf");
        assertEquals(0xfc00, fp16(-65520f));
        assertEquals(0x7c00, fp16(1e10f));
        assertEquals(0x7c00, fp16(Float.POSITIVE_INFINITY));
        assertEquals(0xfc00, fp16(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(HalfFloats.fromFp16(HalfFloats.toFp16(Float.NaN))));
        // 0.1f = 0x3DCCCCCD: mantissa 0x4CCCCD, top ten bits 0x266, the dropped 0xCCD is under half (0x1000): down.
        assertEquals(0x2e66, fp16(0.1f));
        assertEquals(0.0999755859375f, HalfFloats.fromFp16((short) 0x2e66));
        // Ties to even at 1: an ulp is 2^-10.
        assertEquals(0x3c00, fp16(1 + 0x1p-11f), "1 + half an ulp ties to the even 1");
        assertEquals(0x3c02, fp16(1 + 3 * 0x1p-11f), "1 + 1.5 ulp ties to the even 1 + 2 ulp");
        assertEquals(0x3c01, fp16(1 + 0x1p-11f + 0x1p-20f), "just over the tie rounds up");
        // Normals end at 2^-14; subnormals are m·2^-24.
        assertEquals(0x0400, fp16(0x1p-14f), "the smallest normal");
        assertEquals(0x03ff, fp16(0x1p-14f - 0x1p-24f), "the largest subnormal");
        assertEquals(0x0400, fp16(0x1p-14f - 0x1p-25f), "1023.5·2^-24 ties to the even 1024: the smallest normal");
        assertEquals(0x0001, fp16(0x1p-24f), "the smallest subnormal 2^-24");
        assertEquals(0x0000, fp16(0x1p-25f), "2^-25 ties to the even zero");
        assertEquals(0x0001, fp16(Math.nextUp(0x1p-25f)), "just over 2^-25 rounds up to 2^-24");
        assertEquals(0x0002, fp16(3 * 0x1p-25f), "1.5·2^-24 ties to the even 2·2^-24");
        assertEquals(0x8001, fp16(-0x1p-24f));
        assertEquals(0x0000, fp16(Float.MIN_VALUE));
        assertEquals(0x1p-24f, HalfFloats.fromFp16((short) 1));
        assertEquals(65504f, HalfFloats.fromFp16((short) 0x7bff));
        assertEquals(-0f, HalfFloats.fromFp16((short) 0x8000));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(HalfFloats.fromFp16((short) 0x8000)));
    }

    @Test
    void bf16HandWorkedValues() {
        assertEquals(0x3f80, bf16(1f));
        assertEquals(0xbf80, bf16(-1f));
        assertEquals(0x8000, bf16(-0f));
        // 1 + 2^-8 = 0x3F808000: exactly half an ulp over 1, whose last bit is even: stays 1.
        assertEquals(0x3f80, bf16(1 + 0x1p-8f), "1 + half an ulp ties to the even 1");
        assertEquals(0x3f82, bf16(1 + 3 * 0x1p-8f), "1 + 1.5 ulp (0x3F818000) ties to the even 0x3F82");
        assertEquals(0x3f81, bf16(Math.nextUp(1 + 0x1p-8f)), "just over the tie rounds up");
        // 0.1f = 0x3DCCCCCD: the dropped 0xCCCD is over half: up to 0x3DCD = 0.10009765625.
        assertEquals(0x3dcd, bf16(0.1f));
        assertEquals(0.10009765625f, HalfFloats.fromBfloat16((short) 0x3dcd));
        // 65504 = 0x477FE000: the dropped 0xE000 is over half: up to 0x4780 = 65536, finite (float's range).
        assertEquals(0x4780, bf16(65504f), "65504 rounds to 65536 in bf16, finite");
        assertEquals(0x477f, bf16(65280f), "65280 = 0x477F0000 is exact");
        assertEquals(0x7f80, bf16(Float.MAX_VALUE), "past the largest finite bf16: +Inf");
        assertEquals(0x7f7f, bf16(Float.intBitsToFloat(0x7f7f7fff)), "the largest finite bf16");
        assertEquals(0x0001, bf16(Float.intBitsToFloat(0x00008000 + 1)), "float subnormals too");
        assertEquals(0x7f80, bf16(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(HalfFloats.fromBfloat16(HalfFloats.toBfloat16(Float.NaN))));
        assertTrue(Float.isNaN(HalfFloats.fromBfloat16(HalfFloats.toBfloat16(Float.intBitsToFloat(0x7f800001)))),
                "a NaN whose payload is all in the dropped bits stays NaN");
        assertEquals(1f, HalfFloats.fromBfloat16((short) 0x3f80));
    }

    /**
     * For every pair of neighbouring finite values of each format: each encodes to itself, a float just below their
     * midpoint to the lower, just above to the upper, and the midpoint itself (exact in float) to the even one.
     */
    @Test
    void everyValueRoundTripsAndEveryMidpointTiesToEven() {
        for (WirePrecision p : new WirePrecision[] {WirePrecision.BF16, WirePrecision.FP16}) {
            int maxFinite = p == WirePrecision.BF16 ? 0x7f7f : 0x7bff;
            for (int sign : new int[] {0, 0x8000}) {
                for (int h = 0; h <= maxFinite; h++) {
                    short lo = (short) (sign | h);
                    float a = p.decode(lo);
                    assertEquals(lo, p.encode(a), p + " round trip of 0x" + Integer.toHexString(h));
                    if (h == maxFinite) {
                        continue;
                    }
                    short hi = (short) (sign | (h + 1));
                    float b = p.decode(hi);
                    float mid = (float) (((double) a + b) / 2);
                    assertEquals((double) a + b, 2.0 * mid, p + ": the midpoint is exact in float");
                    short even = (h & 1) == 0 ? lo : hi;
                    assertEquals(even, p.encode(mid), p + " tie between 0x" + Integer.toHexString(h) + " and next");
                    float towardA = sign == 0 ? Math.nextDown(mid) : Math.nextUp(mid);
                    float towardB = sign == 0 ? Math.nextUp(mid) : Math.nextDown(mid);
                    assertEquals(lo, p.encode(towardA), p + " below the midpoint after 0x" + Integer.toHexString(h));
                    assertEquals(hi, p.encode(towardB), p + " above the midpoint after 0x" + Integer.toHexString(h));
                }
            }
        }
    }

    @Test
    void roundingArraysReportsInfinities() {
        float[] v = {1f, 0.1f, 70000f};
        float[] out = new float[3];
        assertTrue(WirePrecision.FP16.round(v, out, 0, 3), "70000 overflows binary16");
        assertEquals(Float.POSITIVE_INFINITY, out[2]);
        assertEquals(0.0999755859375f, out[1]);
        assertFalse(WirePrecision.BF16.round(v, out, 0, 3));
        assertEquals(0.10009765625f, out[1]);
        assertFalse(WirePrecision.FP32.round(v, out, 0, 3));
        assertEquals(0.1f, out[1]);
        assertEquals(WirePrecision.BF16, WirePrecision.parse("BF16"));
        assertEquals(null, WirePrecision.parse("fp8"));
        assertEquals(2, WirePrecision.FP16.bytes());
    }
}

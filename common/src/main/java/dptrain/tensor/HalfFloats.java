package dptrain.tensor;

/**
 * The two 16-bit floating-point formats of the book's bit reduction (ch. 8.3), converted from and to float with
 * round-to-nearest-even, as IEEE 754 and the hardware do. Java 17 has no {@code Float.floatToFloat16} (Java 20), so
 * the bits are worked here.
 *
 * <ul>
 * <li>bfloat16: float's sign and 8-bit exponent with 7 mantissa bits, the upper half of a float: float's range,
 * ~3 significant digits. A float too large for it rounds to ±Inf only past its largest finite value.</li>
 * <li>IEEE binary16 (fp16): 5-bit exponent, 10 mantissa bits: ~3.3 digits, largest finite 65504 (65520 and above
 * round to ±Inf), smallest normal 2^-14, subnormals down to 2^-24 (half of that and less rounds to ±0).</li>
 * </ul>
 * NaN stays NaN (quiet), ±Inf stays ±Inf, ±0 keeps its sign.
 */
public final class HalfFloats {
    private HalfFloats() {}

    /** The bfloat16 nearest to f (ties to even), as its 16 bits. */
    public static short toBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x0040); // NaN: keep sign and top payload bits, make it quiet
        }
        // Add just under half an ulp of the result, plus the result's lowest bit: a tie goes to the even neighbour.
        // A carry out of the mantissa bumps the exponent, and past the largest finite value gives Inf.
        int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    /** The float a bfloat16 stands for (exact). */
    public static float fromBfloat16(short h) {
        return Float.intBitsToFloat((h & 0xffff) << 16);
    }

    /** The binary16 nearest to f (ties to even), as its 16 bits; beyond ±65504 (from 65520 on) ±Inf. */
    public static short toFp16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= 0x7f800000) { // Inf, or NaN (quiet, top payload bits kept)
            return (short) (sign | 0x7c00 | (abs > 0x7f800000 ? 0x0200 | ((abs >>> 13) & 0x3ff) : 0));
        }
        if (abs >= 0x477ff000) { // 65520 = 65504 + half an ulp: the tie goes to the even 65536, which is Inf
            return (short) (sign | 0x7c00);
        }
        if (abs >= 0x38800000) { // 2^-14 and above: a normal binary16
            // Round the 23 mantissa bits to 10 (ties to even), then rebias the exponent (127 → 15: 112 << 23);
            // a carry out of the mantissa bumps the exponent.
            int rounded = abs + 0x0fff + ((abs >>> 13) & 1);
            return (short) (sign | ((rounded - 0x38000000) >>> 13));
        }
        // Below 2^-14: a subnormal m·2^-24 (m = 1024 is the smallest normal, which the bits also say). f·2^24 is exact
        // in double, and rint rounds half to even: 2^-25 and below go to zero.
        return (short) (sign | (int) Math.rint(Float.intBitsToFloat(abs) * 0x1p24));
    }

    /** Every binary16 value as a float, by its bits (256 KB): decoding is one load. */
    private static final float[] FP16 = new float[1 << 16];

    static {
        for (int i = 0; i < FP16.length; i++) {
            FP16[i] = decodeFp16((short) i);
        }
    }

    /** The float a binary16 stands for (exact). */
    public static float fromFp16(short h) {
        return FP16[h & 0xffff];
    }

    /** What {@link #fromFp16} looks up: sign, exponent and mantissa taken apart. */
    private static float decodeFp16(short h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) { // zero or subnormal: mant·2^-24, exact in float
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}

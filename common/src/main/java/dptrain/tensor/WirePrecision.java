package dptrain.tensor;

import java.util.Locale;

/**
 * How gradients and parameters travel on the data plane (the book's bit reduction, ch. 8.3): as floats, or as 16-bit
 * bfloat16 or binary16 values ({@link HalfFloats}), half the bytes. The coordinator's master parameters and the
 * optimizer stay in float; what a shard computes with, and what it contributes, is rounded to this format.
 */
public enum WirePrecision {
    /** 32-bit floats: exact, nothing rounded. */
    FP32(0, 4),
    /** bfloat16: float's range, 8 significant bits. */
    BF16(1, 2),
    /** IEEE binary16: 11 significant bits, finite up to 65504. */
    FP16(2, 2);

    private final int code;
    private final int bytes;

    WirePrecision(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    /** Its number in a data-plane frame header. */
    public int code() {
        return code;
    }

    /** Bytes per value on the wire. */
    public int bytes() {
        return bytes;
    }

    /** The precision a frame header's number names, or null for none. */
    public static WirePrecision ofCode(int code) {
        for (WirePrecision p : values()) {
            if (p.code == code) {
                return p;
            }
        }
        return null;
    }

    /** The precision named fp32, bf16 or fp16 (any case); null for another name. */
    public static WirePrecision parse(String name) {
        for (WirePrecision p : values()) {
            if (p.toString().equalsIgnoreCase(name)) {
                return p;
            }
        }
        return null;
    }

    /** The 16 bits of f in this format (not for FP32). */
    public short encode(float f) {
        return this == BF16 ? HalfFloats.toBfloat16(f) : HalfFloats.toFp16(f);
    }

    /** The float 16 bits of this format stand for (not for FP32). */
    public float decode(short h) {
        return this == BF16 ? HalfFloats.fromBfloat16(h) : HalfFloats.fromFp16(h);
    }

    /** f as it arrives after a trip over the wire: f itself for FP32, else f rounded to 16 bits and back. */
    public float round(float f) {
        return this == FP32 ? f : decode(encode(f));
    }

    /**
     * dst[i] = round(src[i]) for i in [from, to) (src and dst may be the same array); returns whether any result is
     * infinite (fp16's overflow shows so).
     */
    public boolean round(float[] src, float[] dst, int from, int to) {
        boolean inf = false;
        if (this == FP32) {
            if (src != dst) {
                System.arraycopy(src, from, dst, from, to - from);
            }
            return false;
        }
        for (int i = from; i < to; i++) {
            float r = round(src[i]);
            dst[i] = r;
            inf |= Float.isInfinite(r);
        }
        return inf;
    }

    /** As flags and config.json write it: fp32, bf16, fp16. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

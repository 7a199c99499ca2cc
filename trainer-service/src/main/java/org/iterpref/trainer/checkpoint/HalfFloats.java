package org.iterpref.trainer.checkpoint;

/**
 * Exact conversions of 16-bit floating-point values to float32.
 *
 * <p>Java 17 has no {@code Float.float16ToFloat} (it arrived in Java 20), so IEEE half precision
 * is decoded here. Both conversions are exact: every bfloat16 and every float16 value, subnormals,
 * infinities and NaN included, is representable as a float32.
 */
public final class HalfFloats {

    private static final int F16_EXPONENT_MAX = 0x1F;
    /** float32 exponent bias (127) minus float16 exponent bias (15). */
    private static final int EXPONENT_REBIAS = 127 - 15;
    /** The value of one unit of a float16 subnormal mantissa: 2^-24. */
    private static final float F16_SUBNORMAL_UNIT = 0x1p-24f;

    private HalfFloats() {
    }

    /** bfloat16 → float32: the 16 bits are the high half of a float32. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** IEEE 754 binary16 → float32, including subnormals, ±0, ±infinity and NaN (payload kept). */
    public static float f16ToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & F16_EXPONENT_MAX;
        int mantissa = h & 0x3FF;
        if (exponent == F16_EXPONENT_MAX) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Subnormal or zero: mantissa × 2^-24, exact in float32 (at most 10 significant bits).
            float magnitude = mantissa * F16_SUBNORMAL_UNIT;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + EXPONENT_REBIAS) << 23) | (mantissa << 13));
    }
}

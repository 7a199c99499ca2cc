package org.iterpref.trainer.checkpoint;

/**
 * Conversions between 16-bit floating-point values and float32.
 *
 * <p>Java 17 has no {@code Float.float16ToFloat} / {@code floatToFloat16} (they arrived in Java
 * 20), so IEEE half precision is coded here. Widening is exact: every bfloat16 and every float16
 * value, subnormals, infinities and NaN included, is representable as a float32. Narrowing rounds
 * to nearest, ties to even, bit for bit as PyTorch's {@code tensor.to(torch.bfloat16)} and
 * {@code tensor.to(torch.float16)} do, so a checkpoint written here holds what PyTorch would save.
 */
public final class HalfFloats {

    private static final int F16_EXPONENT_MAX = 0x1F;
    /** float32 exponent bias (127) minus float16 exponent bias (15). */
    private static final int EXPONENT_REBIAS = 127 - 15;
    /** The value of one unit of a float16 subnormal mantissa: 2^-24. */
    private static final float F16_SUBNORMAL_UNIT = 0x1p-24f;
    /** The float32 bits of 65520, halfway between float16's largest value 65504 and 2^16: rounds to infinity. */
    private static final int F16_OVERFLOW_BITS = 0x477FF000;
    /** The float32 bits of 2^-14, float16's smallest normal value. */
    private static final int F16_MIN_NORMAL_BITS = 0x38800000;
    /** float32 mantissa bits that float16 drops. */
    private static final int F16_DROPPED_BITS = 13;

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

    /**
     * float32 → bfloat16, rounded to nearest even as PyTorch's {@code c10::BFloat16} does: any NaN
     * becomes the quiet NaN {@code 0x7FC0}; values beyond bfloat16's range round to infinity.
     */
    public static short floatToBf16(float value) {
        if (Float.isNaN(value)) {
            return (short) 0x7FC0;
        }
        int bits = Float.floatToRawIntBits(value);
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    /**
     * float32 → IEEE 754 binary16, rounded to nearest even (as PyTorch's {@code c10::Half}):
     * magnitudes from 65520 up become infinity, those below 2^-14 become subnormals or zero, NaN
     * stays a (quiet) NaN with its sign.
     */
    public static short floatToF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int magnitude = bits & 0x7FFFFFFF;
        if (magnitude > 0x7F800000) {
            return (short) (sign | 0x7E00);
        }
        if (magnitude >= F16_OVERFLOW_BITS) {
            return (short) (sign | 0x7C00);
        }
        if (magnitude >= F16_MIN_NORMAL_BITS) {
            // Adding just under half a unit (plus one when the kept part is odd) rounds ties to even;
            // a carry out of the mantissa correctly bumps the exponent.
            int rounded = magnitude + 0x0FFF + ((magnitude >>> F16_DROPPED_BITS) & 1);
            return (short) (sign | ((rounded >>> F16_DROPPED_BITS) - (EXPONENT_REBIAS << 10)));
        }
        return (short) (sign | subnormalF16(magnitude));
    }

    /** The float16 subnormal (or zero, or the smallest normal after rounding up) nearest a magnitude below 2^-14. */
    private static int subnormalF16(int magnitude) {
        int exponent = magnitude >>> 23;
        if (exponent == 0) {
            return 0; // float32 subnormals are far below half of float16's smallest subnormal
        }
        int mantissa = (magnitude & 0x7FFFFF) | 0x800000;
        // value = mantissa · 2^(exponent-150); in units of 2^-24 that is mantissa >> (126 - exponent)
        int shift = 126 - exponent;
        if (shift > 24) {
            return 0; // below 2^-25, half the smallest subnormal
        }
        int units = mantissa >>> shift;
        int remainder = mantissa & ((1 << shift) - 1);
        int half = 1 << (shift - 1);
        if (remainder > half || (remainder == half && (units & 1) == 1)) {
            units++;
        }
        return units;
    }
}

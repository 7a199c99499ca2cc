package org.iterpref.trainer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * float32 → float16 / bfloat16 rounding: to nearest, ties to even, overflow to infinity, as PyTorch
 * converts. Rounding is monotone, so checking every value of the narrow type, every midpoint
 * between neighbours and the floats just beside each midpoint pins it down completely; random
 * floats against a nearest-value search back that up.
 */
class HalfFloatsRoundingTest {

    @Test
    void shouldRoundKnownValues() {
        assertThat(bf16(1.0f)).isEqualTo(0x3F80);
        assertThat(bf16(-3.0f)).isEqualTo(0xC040);
        assertThat(bf16(Float.MAX_VALUE)).as("beyond bfloat16's largest: infinity").isEqualTo(0x7F80);
        assertThat(bf16(Float.NaN)).isEqualTo(0x7FC0);
        assertThat(bf16(Float.intBitsToFloat(0xFFC12345))).as("any NaN becomes PyTorch's 0x7FC0").isEqualTo(0x7FC0);
        assertThat(bf16(Float.intBitsToFloat(0x3F808000))).as("tie, even below").isEqualTo(0x3F80);
        assertThat(bf16(Float.intBitsToFloat(0x3F818000))).as("tie, even above").isEqualTo(0x3F82);

        assertThat(f16(1.0f)).isEqualTo(0x3C00);
        assertThat(f16(0.1f)).isEqualTo(0x2E66);
        assertThat(f16(-2.0f)).isEqualTo(0xC000);
        assertThat(f16(65504f)).isEqualTo(0x7BFF);
        assertThat(f16(65519.99f)).isEqualTo(0x7BFF);
        assertThat(f16(65520f)).as("tie between 65504 and 2^16: odd mantissa, so up to infinity").isEqualTo(0x7C00);
        assertThat(f16(-1e9f)).isEqualTo(0xFC00);
        assertThat(f16(Float.POSITIVE_INFINITY)).isEqualTo(0x7C00);
        assertThat(f16(0x1p-25f)).as("half the smallest subnormal: tie to zero").isEqualTo(0x0000);
        assertThat(f16(Math.nextUp(0x1p-25f))).isEqualTo(0x0001);
        assertThat(f16(0x1p-24f * 1.5f)).as("1.5 units: tie to 2").isEqualTo(0x0002);
        assertThat(f16(Math.nextDown(0x1p-14f))).as("rounds up into the smallest normal").isEqualTo(0x0400);
        assertThat(f16(-0.0f)).isEqualTo(0x8000);
        assertThat(f16(Float.MIN_VALUE)).isEqualTo(0x0000);
        assertThat(HalfFloats.f16ToFloat(HalfFloats.floatToF16(Float.NaN))).isNaN();
    }

    @Test
    void shouldKeepEveryNarrowValueExactly() {
        for (int bits = 0; bits <= 0xFFFF; bits++) {
            float bf = HalfFloats.bf16ToFloat((short) bits);
            float half = HalfFloats.f16ToFloat((short) bits);
            if (!Float.isNaN(bf)) {
                assertThat(bf16(bf)).as("bf16 0x%04X", bits).isEqualTo(bits);
            }
            if (!Float.isNaN(half)) {
                assertThat(f16(half)).as("f16 0x%04X", bits).isEqualTo(bits);
            } else {
                assertThat(HalfFloats.f16ToFloat(HalfFloats.floatToF16(half))).as("f16 NaN 0x%04X", bits).isNaN();
            }
        }
    }

    @Test
    void shouldRoundMidpointsToEvenAndTheirNeighboursToTheNearer() {
        // positive finite neighbours a < b; the negative side mirrors by the sign bit
        for (int low = 0; low < 0x7F7F; low++) {
            checkMidpoint(HalfFloats.bf16ToFloat((short) low), HalfFloats.bf16ToFloat((short) (low + 1)), low, false);
        }
        for (int low = 0; low < 0x7BFF; low++) {
            checkMidpoint(HalfFloats.f16ToFloat((short) low), HalfFloats.f16ToFloat((short) (low + 1)), low, true);
        }
    }

    @Test
    void shouldRoundRandomFloatsToTheNearestNarrowValue() {
        SplittableRandom random = new SplittableRandom(20_241_203L);
        for (int n = 0; n < 200_000; n++) {
            float x = Float.intBitsToFloat(random.nextInt());
            if (Float.isNaN(x) || Float.isInfinite(x)) {
                continue;
            }
            float magnitude = Math.abs(x);
            int sign = x < 0 || (x == 0 && 1 / x < 0) ? 0x8000 : 0;
            assertThat(bf16(x)).as("bf16 of %s", x).isEqualTo(sign | nearest(magnitude, 0x7F7F, false));
            if (magnitude < 65520f) {
                assertThat(f16(x)).as("f16 of %s", x).isEqualTo(sign | nearest(magnitude, 0x7BFF, true));
            }
        }
    }

    /** The bits of the positive narrow value nearest {@code magnitude} (ties to the even one), by search. */
    private static int nearest(float magnitude, int largest, boolean f16) {
        int below = 0;
        int above = largest;
        if (value(largest, f16) <= magnitude) {
            below = largest;
        } else {
            while (above - below > 1) {
                int middle = (below + above) >>> 1;
                if (value(middle, f16) <= magnitude) {
                    below = middle;
                } else {
                    above = middle;
                }
            }
        }
        if (below == largest) {
            double step = value(largest, f16) - value(largest - 1, f16);
            return magnitude - value(largest, f16) < step / 2 ? largest : largest + 1;
        }
        double down = magnitude - (double) value(below, f16);
        double up = (double) value(below + 1, f16) - magnitude;
        if (down != up) {
            return down < up ? below : below + 1;
        }
        return (below & 1) == 0 ? below : below + 1;
    }

    private static float value(int bits, boolean f16) {
        return f16 ? HalfFloats.f16ToFloat((short) bits) : HalfFloats.bf16ToFloat((short) bits);
    }

    private static void checkMidpoint(float a, float b, int lowBits, boolean f16) {
        float middle = (float) (((double) a + b) / 2); // exact: one more significant bit than the narrow type has
        assertThat((double) middle).isEqualTo(((double) a + b) / 2);
        int even = (lowBits & 1) == 0 ? lowBits : lowBits + 1;
        assertThat(round(middle, f16)).as("midpoint of 0x%04X and its successor", lowBits).isEqualTo(even);
        assertThat(round(Math.nextDown(middle), f16)).as("just below the midpoint above 0x%04X", lowBits)
                .isEqualTo(lowBits);
        assertThat(round(Math.nextUp(middle), f16)).as("just above the midpoint above 0x%04X", lowBits)
                .isEqualTo(lowBits + 1);
        assertThat(round(-middle, f16)).isEqualTo(0x8000 | even);
    }

    private static int round(float value, boolean f16) {
        return f16 ? f16(value) : bf16(value);
    }

    private static int bf16(float value) {
        return HalfFloats.floatToBf16(value) & 0xFFFF;
    }

    private static int f16(float value) {
        return HalfFloats.floatToF16(value) & 0xFFFF;
    }
}

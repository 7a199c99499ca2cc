package org.iterpref.trainer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HalfFloatsTest {

    @Test
    void shouldDecodeKnownFloat16Values() {
        assertThat(f16(0x3C00)).isEqualTo(1.0f);
        assertThat(f16(0xC000)).isEqualTo(-2.0f);
        assertThat(f16(0x7BFF)).isEqualTo(65504.0f);
        assertThat(f16(0x3555)).isEqualTo(0.333251953125f);
        assertThat(f16(0x0400)).isEqualTo(6.103515625E-5f); // smallest normal
        assertThat((double) f16(0x0001)).isEqualTo(5.960464477539063E-8); // smallest subnormal
        assertThat(f16(0x03FF)).isEqualTo(6.097555160522461E-5f); // largest subnormal
        assertThat(f16(0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(f16(0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(f16(0x7E00)).isNaN();
        assertThat(f16(0x7C01)).isNaN(); // signalling NaN pattern stays NaN, not infinity
        assertThat(Float.floatToRawIntBits(f16(0x0000))).isEqualTo(0);
        assertThat(Float.floatToRawIntBits(f16(0x8000))).isEqualTo(0x80000000); // -0.0
        assertThat(f16(0x8001)).isEqualTo(-5.9604645E-8f);
    }

    @Test
    void shouldDecodeEveryFloat16BitPatternAsTheIeeeFormulaSays() {
        for (int bits = 0; bits <= 0xFFFF; bits++) {
            int exponent = (bits >>> 10) & 0x1F;
            int mantissa = bits & 0x3FF;
            double sign = (bits & 0x8000) != 0 ? -1 : 1;
            float actual = f16(bits);
            if (exponent == 0x1F) {
                assertThat(mantissa == 0 ? Float.isInfinite(actual) : Float.isNaN(actual)).as("0x%04X", bits).isTrue();
                continue;
            }
            double expected = exponent == 0
                    ? sign * Math.scalb((double) mantissa, -24)
                    : sign * Math.scalb(1.0 + mantissa / 1024.0, exponent - 15);
            assertThat((double) actual).as("0x%04X", bits).isEqualTo(expected);
            assertThat(Math.copySign(1f, actual)).as("sign of 0x%04X", bits).isEqualTo((float) sign);
        }
    }

    @Test
    void shouldDecodeBfloat16AsTheHighHalfOfAFloat32() {
        assertThat(HalfFloats.bf16ToFloat((short) 0x3F80)).isEqualTo(1.0f);
        assertThat(HalfFloats.bf16ToFloat((short) 0xC040)).isEqualTo(-3.0f);
        assertThat(HalfFloats.bf16ToFloat((short) 0x7F80)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(HalfFloats.bf16ToFloat((short) 0x7FC0)).isNaN();
        assertThat(HalfFloats.bf16ToFloat((short) 0x0001)).isEqualTo(Float.intBitsToFloat(0x00010000));
        for (int bits = 0; bits <= 0xFFFF; bits++) {
            float value = HalfFloats.bf16ToFloat((short) bits);
            assertThat(Float.floatToRawIntBits(value)).isEqualTo(bits << 16);
        }
    }

    @Test
    void shouldReadAnF16SafetensorsFileAsFloat32AndFloat64(@TempDir Path dir) {
        short[] bits = {0x3C00, (short) 0xC000, 0x7BFF, 0x0001, 0x7C00, 0x7E00, (short) 0x8000};
        Path file = new SafetensorsWriter().addRaw("h", DType.F16, new long[] {7}, RawSafetensors.shorts(bits))
                .write(dir.resolve("h.safetensors"));

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            float[] floats = st.readFloat32("h");
            double[] doubles = st.readFloat64("h");

            assertThat(st.info("h").dtype()).isEqualTo(DType.F16);
            assertThat(floats).hasSize(7);
            assertThat(floats[0]).isEqualTo(1.0f);
            assertThat(floats[1]).isEqualTo(-2.0f);
            assertThat(floats[2]).isEqualTo(65504f);
            assertThat((double) floats[3]).isEqualTo(5.960464477539063E-8);
            assertThat(floats[4]).isEqualTo(Float.POSITIVE_INFINITY);
            assertThat(floats[5]).isNaN();
            assertThat(Float.floatToRawIntBits(floats[6])).isEqualTo(0x80000000);
            assertThat(doubles[3]).isEqualTo(5.960464477539063E-8);
            assertThat(doubles[2]).isEqualTo(65504.0);
        }
    }

    private static float f16(int bits) {
        return HalfFloats.f16ToFloat((short) bits);
    }
}

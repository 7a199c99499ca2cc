package org.iterpref.trainer.checkpoint;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * Converts little-endian tensor bytes into Java arrays, one mapped chunk at a time.
 *
 * <p>Each method decodes all of {@code bytes} (a whole number of elements of {@code dtype}, in
 * little-endian order) into {@code dest} starting at {@code offset}. Callers check beforehand that
 * the dtype is one the method accepts.
 */
final class TensorDecoder {

    private TensorDecoder() {
    }

    /** F32 as is; BF16 and F16 exactly; F64 rounded to nearest. */
    static void toFloat32(DType dtype, ByteBuffer bytes, float[] dest, int offset) {
        switch (dtype) {
            case F32 -> bytes.asFloatBuffer().get(dest, offset, bytes.remaining() / Float.BYTES);
            case BF16 -> {
                ShortBuffer in = bytes.asShortBuffer();
                for (int i = 0, n = in.remaining(); i < n; i++) {
                    dest[offset + i] = HalfFloats.bf16ToFloat(in.get(i));
                }
            }
            case F16 -> {
                ShortBuffer in = bytes.asShortBuffer();
                for (int i = 0, n = in.remaining(); i < n; i++) {
                    dest[offset + i] = HalfFloats.f16ToFloat(in.get(i));
                }
            }
            case F64 -> {
                DoubleBuffer in = bytes.asDoubleBuffer();
                for (int i = 0, n = in.remaining(); i < n; i++) {
                    dest[offset + i] = (float) in.get(i);
                }
            }
            default -> throw new IllegalArgumentException("not a floating-point dtype: " + dtype);
        }
    }

    /** F64 as is; F32, BF16 and F16 widened exactly. */
    static void toFloat64(DType dtype, ByteBuffer bytes, double[] dest, int offset) {
        switch (dtype) {
            case F64 -> bytes.asDoubleBuffer().get(dest, offset, bytes.remaining() / Double.BYTES);
            case F32 -> {
                FloatBuffer in = bytes.asFloatBuffer();
                for (int i = 0, n = in.remaining(); i < n; i++) {
                    dest[offset + i] = in.get(i);
                }
            }
            case BF16, F16 -> {
                float[] narrow = new float[bytes.remaining() / 2];
                toFloat32(dtype, bytes, narrow, 0);
                for (int i = 0; i < narrow.length; i++) {
                    dest[offset + i] = narrow[i];
                }
            }
            default -> throw new IllegalArgumentException("not a floating-point dtype: " + dtype);
        }
    }

    /** Every integer type but U64, sign- or zero-extended as the type says. */
    static void toInt64(DType dtype, ByteBuffer bytes, long[] dest, int offset) {
        int n = bytes.remaining() / dtype.byteSize();
        if (dtype == DType.I64) {
            bytes.asLongBuffer().get(dest, offset, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            dest[offset + i] = switch (dtype) {
                case I32 -> bytes.getInt(i * Integer.BYTES);
                case U32 -> Integer.toUnsignedLong(bytes.getInt(i * Integer.BYTES));
                case I16 -> bytes.getShort(i * Short.BYTES);
                case U16 -> Short.toUnsignedLong(bytes.getShort(i * Short.BYTES));
                case I8 -> bytes.get(i);
                case U8 -> Byte.toUnsignedLong(bytes.get(i));
                default -> throw new IllegalArgumentException("not an integer dtype: " + dtype);
            };
        }
    }

    /** BOOL: one byte per element, nonzero is true. */
    static void toBool(ByteBuffer bytes, boolean[] dest, int offset) {
        for (int i = 0, n = bytes.remaining(); i < n; i++) {
            dest[offset + i] = bytes.get(i) != 0;
        }
    }
}

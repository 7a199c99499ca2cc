package org.iterpref.trainer.checkpoint;

import java.util.Optional;

/**
 * The element types a safetensors header may name, with their size in bytes.
 *
 * <p>Every type of the safetensors format is recognised so that a real checkpoint's header
 * parses whole; the readers of {@link SafetensorsFile} convert only some of them (see
 * {@link #isFloatingPoint()} and {@link #isInteger()}).
 */
public enum DType {
    BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1),
    I16(2), U16(2), F16(2), BF16(2),
    I32(4), U32(4), F32(4),
    I64(8), U64(8), F64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether {@link SafetensorsFile#readFloat32} and {@code readFloat64} convert this type. */
    public boolean isFloatingPoint() {
        return this == F16 || this == BF16 || this == F32 || this == F64;
    }

    /** Whether {@link SafetensorsFile#readInt64} converts this type (every integer but U64). */
    public boolean isInteger() {
        return this == U8 || this == I8 || this == I16 || this == U16
                || this == I32 || this == U32 || this == I64;
    }

    /** The type named {@code name} in a safetensors header ({@code "BF16"}), if it is one. */
    public static Optional<DType> fromHeaderName(String name) {
        for (DType type : values()) {
            if (type.name().equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}

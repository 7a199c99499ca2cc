package org.iterpref.trainer.checkpoint;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor as a safetensors header describes it.
 *
 * @param file  the safetensors file holding it
 * @param name  its name ({@code model.layers.0.self_attn.q_proj.weight})
 * @param dtype its element type as stored (conversion happens on read)
 * @param shape its dimensions, outermost first; empty for a scalar
 * @param begin first byte, relative to the start of the data section (after the header)
 * @param end   one past the last byte, relative to the start of the data section
 */
public record TensorInfo(Path file, String name, DType dtype, long[] shape, long begin, long end) {

    public TensorInfo {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    /** A copy of the dimensions. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Whether the dimensions are exactly {@code expected}. */
    public boolean hasShape(long... expected) {
        return Arrays.equals(shape, expected);
    }

    /** The number of elements (product of the dimensions). */
    public long numElements() {
        return Shapes.numElements(shape);
    }

    /** The number of bytes the data occupies in the file. */
    public long byteSize() {
        return end - begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && file.equals(t.file) && name.equals(t.name)
                && dtype == t.dtype && Arrays.equals(shape, t.shape) && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(file, name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Shapes.format(shape) + " @[" + begin + ", " + end + ") in " + file;
    }
}

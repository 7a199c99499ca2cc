package org.iterpref.trainer.checkpoint;

import java.util.Arrays;
import java.util.Objects;

/**
 * A parameter a model needs: its Hugging Face name and the shape its config implies.
 *
 * @param name  {@code model.layers.0.self_attn.k_proj.weight}
 * @param shape {@code [num_key_value_heads × head_dim, hidden_size]}, outermost first
 */
public record ParameterSpec(String name, long[] shape) {

    public ParameterSpec {
        Objects.requireNonNull(name, "name");
        shape = shape.clone();
    }

    /** A copy of the dimensions. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The number of elements. */
    public long numElements() {
        return Shapes.numElements(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParameterSpec p && name.equals(p.name) && Arrays.equals(shape, p.shape);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + Shapes.format(shape);
    }
}

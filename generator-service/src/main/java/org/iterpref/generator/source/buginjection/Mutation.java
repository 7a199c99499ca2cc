package org.iterpref.generator.source.buginjection;

import java.util.Objects;

/**
 * One change to a reference solution: the characters {@code [start, end)} of the original code are
 * replaced by {@code replacement}. {@code line} is the 1-based line the change is on, and
 * {@code description} a one-line account of it, such as "flipped comparison `<` to `<=` on line 5".
 */
public record Mutation(MutationKind kind, int line, int start, int end, String replacement, String description) {

    public Mutation {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(replacement, "replacement");
        Objects.requireNonNull(description, "description");
        if (line < 1 || start < 0 || end <= start) {
            throw new IllegalArgumentException("bad mutation span: line " + line + ", [" + start + ", " + end + ")");
        }
    }

    /** True when both mutations change some character in common. */
    public boolean overlaps(Mutation other) {
        return start < other.end && other.start < end;
    }
}

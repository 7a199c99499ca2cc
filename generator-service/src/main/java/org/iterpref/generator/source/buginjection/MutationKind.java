package org.iterpref.generator.source.buginjection;

/** The kinds of realistic bug the bug-injection source can plant in a reference solution. */
public enum MutationKind {
    /** {@code range(n)} becomes {@code range(n + 1)}, {@code range(a, n - 1)} becomes {@code range(a, n)}. */
    RANGE_BOUND,
    /** {@code x[i]} becomes {@code x[i + 1]} or {@code x[i - 1]}; also one side of a simple slice. */
    INDEX_OFF_BY_ONE,
    /** {@code <} becomes {@code <=} or {@code >}, {@code ==} becomes {@code !=}, and so on. */
    FLIPPED_COMPARISON,
    /** {@code total = 0} becomes {@code total = 1}, {@code best = None} becomes {@code best = 0}. */
    WRONG_INITIAL_VALUE,
    /** {@code +} and {@code -} swapped, {@code *} becomes {@code +}, {@code and} and {@code or} swapped. */
    WRONG_OPERATOR,
    /** One simple statement of a block that has at least two is deleted. */
    DELETED_LINE,
    /** {@code f(a, b)} becomes {@code f(b, a)}. */
    SWAPPED_ARGUMENTS,
    /** {@code return x} returns something close but wrong ({@code not x}, {@code x + 1}, {@code None}). */
    WRONG_RETURN
}

package org.iterpref.generator.pair;

/**
 * Why a pair was not kept: the fix changed nothing the diff can point at (EMPTY_REGION), the
 * region covers more than the configured share of the rejected lines (WHOLE_PROGRAM: a rewrite,
 * not a focal fix), or the same prompt, chosen and rejected code (whitespace-normalised) is
 * already kept (DUPLICATE).
 */
public enum FilterReason {
    EMPTY_REGION,
    WHOLE_PROGRAM,
    DUPLICATE
}

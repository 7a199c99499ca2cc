package org.iterpref.generator.pair;

/** Which failing iterations of a passing trajectory become rejected sides: the last one, or all. */
public enum PairPolicy {
    LAST,
    ALL
}

package org.iterpref.trainer.checkpoint;

import java.util.Arrays;

/** Helpers for tensor shapes held as {@code long[]} (the form DJL's {@code Shape} takes). */
final class Shapes {

    private Shapes() {
    }

    /**
     * The number of elements of {@code shape}: the product of its dimensions, 1 for a scalar.
     *
     * @throws ArithmeticException when the product overflows a long
     */
    static long numElements(long[] shape) {
        long n = 1;
        for (long dim : shape) {
            n = Math.multiplyExact(n, dim);
        }
        return n;
    }

    /** {@code [2048, 64]}. */
    static String format(long[] shape) {
        return Arrays.toString(shape);
    }
}

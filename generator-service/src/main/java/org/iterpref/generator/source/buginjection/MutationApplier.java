package org.iterpref.generator.source.buginjection;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** Applies non-overlapping mutations, all given as offsets in the original code. */
public final class MutationApplier {

    private MutationApplier() {
    }

    /**
     * The original code with every mutation applied. Mutations are applied from the highest offset
     * down, so each one's offsets still refer to the original text.
     *
     * @throws IllegalArgumentException when two mutations overlap or one lies outside the code
     */
    public static String apply(String original, Collection<Mutation> mutations) {
        List<Mutation> sorted = new ArrayList<>(mutations);
        sorted.sort(Comparator.comparingInt(Mutation::start).reversed());
        StringBuilder code = new StringBuilder(original);
        Mutation previous = null;
        for (Mutation mutation : sorted) {
            if (mutation.end() > original.length()) {
                throw new IllegalArgumentException("mutation outside the code: " + mutation);
            }
            if (previous != null && mutation.overlaps(previous)) {
                throw new IllegalArgumentException("overlapping mutations: " + mutation + " and " + previous);
            }
            code.replace(mutation.start(), mutation.end(), mutation.replacement());
            previous = mutation;
        }
        return code.toString();
    }
}

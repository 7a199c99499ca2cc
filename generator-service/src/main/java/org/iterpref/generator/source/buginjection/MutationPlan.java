package org.iterpref.generator.source.buginjection;

import java.util.List;

/**
 * The bugs planted in one trajectory: {@code mutations} in the order refinements undo them (the
 * first refinement undoes the first), and {@code mutantCode}, the reference with all of them
 * applied, which the executor has seen fail.
 */
public record MutationPlan(List<Mutation> mutations, String mutantCode) {

    public MutationPlan {
        mutations = List.copyOf(mutations);
        if (mutations.isEmpty()) {
            throw new IllegalArgumentException("a mutation plan needs at least one mutation");
        }
    }

    /** The reference with the mutations from index {@code undone} on still applied. */
    public String codeAfterUndoing(String reference, int undone) {
        int from = Math.max(0, Math.min(undone, mutations.size()));
        return MutationApplier.apply(reference, mutations.subList(from, mutations.size()));
    }
}

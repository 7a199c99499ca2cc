package org.iterpref.generator.source.buginjection;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Picks a set of compatible mutations at random: none overlap, at most one deletes a line (two
 * deletions could empty a block), and different lines are preferred. The returned order, random
 * too, is the order in which refinements undo them.
 */
final class MutationSelector {

    private MutationSelector() {
    }

    static List<Mutation> choose(List<Mutation> candidates, int count, Random random) {
        List<Mutation> pool = new ArrayList<>(candidates);
        Collections.shuffle(pool, random);
        List<Mutation> chosen = new ArrayList<>(count);
        fill(pool, chosen, count, true);
        fill(pool, chosen, count, false);
        return chosen;
    }

    private static void fill(List<Mutation> pool, List<Mutation> chosen, int count, boolean distinctLines) {
        for (Mutation candidate : pool) {
            if (chosen.size() >= count) {
                return;
            }
            if (!chosen.contains(candidate) && compatible(candidate, chosen, distinctLines)) {
                chosen.add(candidate);
            }
        }
    }

    private static boolean compatible(Mutation candidate, List<Mutation> chosen, boolean distinctLines) {
        for (Mutation other : chosen) {
            if (candidate.overlaps(other)
                    || (distinctLines && candidate.line() == other.line())
                    || (candidate.kind() == MutationKind.DELETED_LINE && other.kind() == MutationKind.DELETED_LINE)) {
                return false;
            }
        }
        return true;
    }
}

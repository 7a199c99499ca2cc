package org.iterpref.trainer.dpo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Which pairs each optimizer step takes: epoch {@code e} visits all pairs in a shuffle seeded by
 * the job's seed and {@code e}, in consecutive batches (the last one may be short). A function of
 * its arguments only, so a resumed run takes exactly the batches an uninterrupted one would.
 */
record DataOrder(long seed, int pairs, int batchSize) {

    int stepsPerEpoch() {
        return (pairs + batchSize - 1) / batchSize;
    }

    /** Positions (into the training pairs) of global step {@code step}'s batch. */
    List<Integer> batch(int step) {
        int epoch = step / stepsPerEpoch();
        int within = step % stepsPerEpoch();
        List<Integer> order = new ArrayList<>(pairs);
        for (int i = 0; i < pairs; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
        return List.copyOf(order.subList(within * batchSize, Math.min(pairs, (within + 1) * batchSize)));
    }
}

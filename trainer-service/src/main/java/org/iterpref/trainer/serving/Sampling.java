package org.iterpref.trainer.serving;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;

/** Temperature and nucleus (top-p) sampling from one step's logits. */
final class Sampling {

    private Sampling() {
    }

    /** A token id drawn from {@code softmax(logits / temperature)} restricted to its top-p nucleus. */
    static int sample(float[] logits, double temperature, double topP, Random random) {
        int vocab = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double[] probs = new double[vocab];
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            probs[i] = Math.exp((logits[i] - max) / temperature);
            sum += probs[i];
        }
        Integer[] order = new Integer[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = i;
            probs[i] /= sum;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> probs[i]).reversed().thenComparingInt(i -> i));
        int keep = 0;
        double mass = 0;
        while (keep < vocab && (keep == 0 || mass < topP)) {
            mass += probs[order[keep++]];
        }
        double draw = random.nextDouble() * mass;
        double cumulative = 0;
        for (int k = 0; k < keep; k++) {
            cumulative += probs[order[k]];
            if (draw < cumulative) {
                return order[k];
            }
        }
        return order[keep - 1];
    }
}

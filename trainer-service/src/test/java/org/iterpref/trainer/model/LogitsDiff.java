package org.iterpref.trainer.model;

/**
 * The largest absolute difference of two logits arrays over the unpadded positions, and that
 * difference relative to the largest reference logit magnitude there ({@code maxRel}).
 */
record LogitsDiff(double maxAbs, double maxRel, int compared) {

    /** Compares {@code actual} (float32, [B, L, V] row-major) with {@code expected}'s logits where the mask is 1. */
    static LogitsDiff of(float[] actual, ExpectedForward expected) {
        return of(actual, expected, expected.logits());
    }

    static LogitsDiff of(float[] actual, ExpectedForward mask, double[] reference) {
        double maxAbs = 0;
        double maxRef = 0;
        int compared = 0;
        for (int b = 0; b < mask.batch(); b++) {
            for (int t = 0; t < mask.length(); t++) {
                if (!mask.real(b, t)) {
                    continue;
                }
                compared++;
                int base = (b * mask.length() + t) * mask.vocab();
                for (int v = 0; v < mask.vocab(); v++) {
                    double diff = Math.abs(actual[base + v] - reference[base + v]);
                    maxAbs = Math.max(maxAbs, diff);
                    maxRef = Math.max(maxRef, Math.abs(reference[base + v]));
                }
            }
        }
        return new LogitsDiff(maxAbs, maxRef == 0 ? 0 : maxAbs / maxRef, compared);
    }

    @Override
    public String toString() {
        return String.format("max abs %.3e, max abs / max |ref| %.3e over %d positions", maxAbs, maxRel, compared);
    }
}

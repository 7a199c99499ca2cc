package org.iterpref.generator.evaluation;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A paired bootstrap confidence interval for the mean of per-task differences: tasks are resampled
 * with replacement {@code resamples} times and the percentile interval of the resampled means is
 * returned. Seeded, so the same comparison always gives the same interval.
 */
public final class PairedBootstrap {

    private PairedBootstrap() {
    }

    /** The interval at {@code level} (e.g. 0.95); a single point when there is one task or none varies. */
    public static Interval interval(double[] deltas, double level, int resamples, long seed) {
        if (deltas.length == 0) {
            throw new IllegalArgumentException("no task to compare");
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] means = new double[resamples];
        int n = deltas.length;
        for (int b = 0; b < resamples; b++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += deltas[random.nextInt(n)];
            }
            means[b] = sum / n;
        }
        Arrays.sort(means);
        double tail = (1 - level) / 2;
        return new Interval(quantile(means, tail), quantile(means, 1 - tail), level, resamples);
    }

    /** Linear interpolation between the order statistics around {@code q}. */
    private static double quantile(double[] sorted, double q) {
        double position = q * (sorted.length - 1);
        int low = (int) Math.floor(position);
        int high = Math.min(sorted.length - 1, low + 1);
        double weight = position - low;
        return sorted[low] * (1 - weight) + sorted[high] * weight;
    }

    /** {@code [low, high]} at {@code level}, from {@code resamples} bootstrap resamples. */
    public record Interval(double low, double high, double level, int resamples) {
    }
}

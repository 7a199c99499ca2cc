package org.iterpref.common.eval;

import java.util.List;

/**
 * The unbiased pass@k estimator of Chen et al. (2021, "Evaluating Large Language Models Trained on
 * Code"): with {@code n} samples of a task of which {@code c} pass, the probability that at least
 * one of {@code k} samples drawn without replacement passes is {@code 1 - C(n-c, k) / C(n, k)}.
 *
 * <p>The binomial ratio is computed as the product {@code prod_{i=n-c+1..n} (1 - k/i)}, whose
 * factors all lie in (0, 1), summed as logarithms ({@code log1p}) and turned back with
 * {@code -expm1}: no factorial or binomial is ever formed, so it neither overflows for large
 * {@code n} nor loses the digits of a small pass@k to cancellation.
 */
public final class PassAtK {

    private PassAtK() {
    }

    /**
     * pass@k of one task.
     *
     * @throws IllegalArgumentException when {@code n < 1}, {@code c} is outside {@code [0, n]}, or
     *                                  {@code k} is outside {@code [1, n]}
     */
    public static double of(int n, int c, int k) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1, was " + n);
        }
        if (c < 0 || c > n) {
            throw new IllegalArgumentException("c must be between 0 and n=" + n + ", was " + c);
        }
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k must be between 1 and n=" + n + ", was " + k);
        }
        if (n - c < k) {
            return 1.0;  // every draw of k samples holds a passing one
        }
        // the product as a sum of logarithms, and 1 - exp(sum) as -expm1(sum): no cancellation when
        // pass@k is small (1 - (1 - 1e-6) in doubles keeps only 10 of its digits)
        double logAllFail = 0.0;
        for (int i = n - c + 1; i <= n; i++) {
            logAllFail += Math.log1p(-(double) k / i);  // i > n - c >= k, so -k/i > -1
        }
        return 0.0 - Math.expm1(logAllFail);  // not -expm1(0.0): no sample passed is 0.0, never -0.0
    }

    /** One task's sample counts: {@code n} samples, {@code c} of which passed. */
    public record Counts(int n, int c) {
    }

    /** The mean of pass@k over tasks (each task weighs the same); NaN for no task. */
    public static double mean(List<Counts> tasks, int k) {
        if (tasks.isEmpty()) {
            return Double.NaN;
        }
        double sum = 0;
        for (Counts t : tasks) {
            sum += of(t.n(), t.c(), k);
        }
        return sum / tasks.size();
    }
}

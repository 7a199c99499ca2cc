package org.iterpref.generator.evaluation;

/**
 * The gate's verdict: PENDING while the evaluation runs, then PASSED when the metric reached the
 * minimum on a COMPLETED evaluation, FAILED otherwise, with the reason in words.
 */
public record GateResult(String metric, double min, Double value, Verdict verdict, String reason) {

    public enum Verdict {
        PENDING,
        PASSED,
        FAILED
    }
}

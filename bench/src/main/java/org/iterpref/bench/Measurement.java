package org.iterpref.bench;

import java.util.Arrays;
import java.util.List;

/**
 * One timed pass over the corpus.
 *
 * @param side        "bare" or "sandboxed"
 * @param executions  programs executed (each with all its tests)
 * @param elapsedNanos wall time of the whole pass
 * @param latenciesMs per-execution wall time, one per program
 * @param failures    human-readable description of every execution that did not pass
 */
record Measurement(String side, int executions, long elapsedNanos, long[] latenciesMs, List<String> failures) {

    Measurement {
        latenciesMs = latenciesMs.clone();
        Arrays.sort(latenciesMs);
        failures = List.copyOf(failures);
    }

    double perSecond() {
        return executions / (elapsedNanos / 1e9);
    }

    long percentileMs(double p) {
        if (latenciesMs.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * latenciesMs.length) - 1;
        return latenciesMs[Math.max(0, Math.min(latenciesMs.length - 1, rank))];
    }

    boolean allPassed() {
        return failures.isEmpty();
    }
}

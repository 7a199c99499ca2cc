package org.iterpref.common.execution;

/**
 * Result of one test. {@code timeMs} is wall time, {@code cpuTimeMs} user + system time,
 * {@code peakMemoryKb} the peak resident set of the test's process; the three are null when
 * the test never started. {@code message} explains a verdict other than PASSED in one or a
 * few lines (assertion with expected vs actual, exception, limit that was hit).
 */
public record TestResult(
        String name,
        Verdict verdict,
        Long timeMs,
        Long cpuTimeMs,
        Long peakMemoryKb,
        Integer exitCode,
        String stdout,
        String stderr,
        String message) {

    public static TestResult notRun(String name, Verdict verdict, String message) {
        return new TestResult(name, verdict, null, null, null, null, "", "", message);
    }
}

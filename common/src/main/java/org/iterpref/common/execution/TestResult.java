package org.iterpref.common.execution;

import java.util.List;

/**
 * Result of one test. {@code timeMs} is wall time, {@code cpuTimeMs} user + system time,
 * {@code peakMemoryKb} the peak resident set of the test's process; the three are null when
 * the test never started. {@code message} explains a verdict other than PASSED in one or a
 * few lines (assertion with expected vs actual, exception, limit that was hit).
 * {@code suspicious} lists what the test's process did that in-process tests cannot defend
 * against (redefining builtins or AssertionError, patching unittest.TestCase, tracing, scanning
 * the interpreter's objects, writing a forged completion record): a PASSED verdict with such
 * a note deserves a second look.
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
        String message,
        List<String> suspicious) {

    public TestResult {
        suspicious = suspicious == null ? List.of() : List.copyOf(suspicious);
    }

    public TestResult(String name, Verdict verdict, Long timeMs, Long cpuTimeMs, Long peakMemoryKb, Integer exitCode,
                      String stdout, String stderr, String message) {
        this(name, verdict, timeMs, cpuTimeMs, peakMemoryKb, exitCode, stdout, stderr, message, List.of());
    }

    public static TestResult notRun(String name, Verdict verdict, String message) {
        return new TestResult(name, verdict, null, null, null, null, "", "", message);
    }
}

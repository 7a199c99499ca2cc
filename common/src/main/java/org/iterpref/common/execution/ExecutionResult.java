package org.iterpref.common.execution;

import java.util.List;

/**
 * Result of one execution. {@code verdict} is PASSED when every test passed, SANDBOX_ERROR
 * when the sandbox itself failed (retry it), otherwise the verdict of the first test that did
 * not pass. {@code total} counts the tests the request declared (a unittest suite counts its
 * methods once discovered); {@code skipped} those not run because of stopOnFirstFailure.
 * {@code feedback} is the text to show a model so it can fix its code. {@code suspicious} is
 * true when any test's process did something that in-process tests cannot defend against (see
 * {@link TestResult#suspicious()}); the feedback then says what.
 */
public record ExecutionResult(
        String id,
        String language,
        String backend,
        Verdict verdict,
        int passed,
        int total,
        int skipped,
        long wallTimeMs,
        List<TestResult> tests,
        String feedback,
        boolean suspicious) {

    public ExecutionResult {
        tests = List.copyOf(tests);
    }

    /** {@code suspicious} from the tests' own notes. */
    public ExecutionResult(String id, String language, String backend, Verdict verdict, int passed, int total,
                           int skipped, long wallTimeMs, List<TestResult> tests, String feedback) {
        this(id, language, backend, verdict, passed, total, skipped, wallTimeMs, tests, feedback,
                tests.stream().anyMatch(t -> !t.suspicious().isEmpty()));
    }
}

package org.iterpref.common.execution;

import java.util.List;

/**
 * Result of one execution. {@code verdict} is PASSED when every test passed, SANDBOX_ERROR
 * when the sandbox itself failed (retry it), otherwise the verdict of the first test that did
 * not pass. {@code total} counts the tests the request declared (a unittest suite counts its
 * methods once discovered); {@code skipped} those not run because of stopOnFirstFailure.
 * {@code feedback} is the text to show a model so it can fix its code.
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
        String feedback) {

    public ExecutionResult {
        tests = List.copyOf(tests);
    }
}

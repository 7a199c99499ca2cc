package org.iterpref.executor.execution;

import java.util.List;
import org.iterpref.common.execution.TestResult;
import org.iterpref.common.execution.Verdict;

/**
 * Writes the text a model is shown to fix its code: how many tests passed, then the first
 * failing tests with expected vs actual or the trimmed traceback, and their output.
 */
final class FeedbackWriter {

    static final int MAX_FAILURES_SHOWN = 3;
    static final int MAX_FEEDBACK_CHARS = 6000;
    private static final int MAX_OUTPUT_CHARS = 600;

    String write(List<TestResult> results, int total, String setupMessage) {
        long passed = results.stream().filter(r -> r.verdict() == Verdict.PASSED).count();
        if (passed == total && setupMessage == null) {
            StringBuilder text = new StringBuilder("All " + total + " tests passed.\n");
            appendSuspicions(text, results);
            return clip(text.toString().strip(), MAX_FEEDBACK_CHARS);
        }
        StringBuilder text = new StringBuilder();
        if (setupMessage != null) {
            text.append(setupMessage.strip()).append('\n');
            return clip(text.toString(), MAX_FEEDBACK_CHARS);
        }
        text.append(passed).append(" of ").append(total).append(" tests passed.\n");
        List<TestResult> failures = results.stream().filter(r -> r.verdict() != Verdict.PASSED).toList();
        for (TestResult failure : failures.subList(0, Math.min(MAX_FAILURES_SHOWN, failures.size()))) {
            text.append('\n').append(describe(failure));
        }
        if (failures.size() > MAX_FAILURES_SHOWN) {
            text.append("\n... and ").append(failures.size() - MAX_FAILURES_SHOWN).append(" more failing tests.\n");
        }
        appendSuspicions(text, results);
        return clip(text.toString(), MAX_FEEDBACK_CHARS);
    }

    /** What in-process tests cannot defend against, so that a reader does not trust those passes blindly. */
    private static void appendSuspicions(StringBuilder text, List<TestResult> results) {
        List<String> notes = results.stream().flatMap(r -> r.suspicious().stream()).distinct().toList();
        if (!notes.isEmpty()) {
            text.append("\nSuspicious: the code ").append(String.join("; ", notes))
                    .append(". Verdicts of in-process tests cannot be trusted for such code.\n");
        }
    }

    private static String describe(TestResult r) {
        StringBuilder s = new StringBuilder();
        s.append("Test `").append(r.name()).append("` ").append(headline(r.verdict())).append(":\n");
        if (r.message() != null && !r.message().isBlank()) {
            s.append(r.message().strip()).append('\n');
        }
        if (r.stdout() != null && !r.stdout().isBlank() && r.verdict() != Verdict.FAILED) {
            s.append("stdout:\n").append(clip(r.stdout().strip(), MAX_OUTPUT_CHARS)).append('\n');
        }
        if (r.stderr() != null && !r.stderr().isBlank() && !containsTraceback(r)) {
            s.append("stderr:\n").append(clip(r.stderr().strip(), MAX_OUTPUT_CHARS)).append('\n');
        }
        return s.toString();
    }

    private static boolean containsTraceback(TestResult r) {
        return r.message() != null && r.stderr().strip().endsWith(lastLine(r.message()));
    }

    private static String lastLine(String text) {
        String stripped = text.strip();
        return stripped.substring(stripped.lastIndexOf('\n') + 1);
    }

    private static String headline(Verdict verdict) {
        return switch (verdict) {
            case FAILED -> "failed";
            case ERROR -> "raised an error";
            case TIMEOUT -> "timed out";
            case MEMORY_LIMIT -> "ran out of memory";
            case OUTPUT_LIMIT -> "exceeded the output limit";
            case SANDBOX_ERROR -> "could not be run (sandbox error)";
            case PASSED -> "passed";
        };
    }

    static String clip(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "\n... (truncated)";
    }
}

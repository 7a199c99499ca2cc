package org.iterpref.executor.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.iterpref.common.execution.TestResult;
import org.iterpref.common.execution.Verdict;
import org.junit.jupiter.api.Test;

class FeedbackWriterTest {

    final FeedbackWriter writer = new FeedbackWriter();

    static TestResult result(String name, Verdict verdict, String message, String stdout, String stderr) {
        return new TestResult(name, verdict, 1L, 1L, 1L, 0, stdout, stderr, message);
    }

    @Test
    void allPassed() {
        assertThat(writer.write(List.of(result("a", Verdict.PASSED, null, "", "")), 1, null))
                .isEqualTo("All 1 tests passed.");
    }

    @Test
    void showsTheFirstThreeFailuresWithTheirMessagesAndCountsTheRest() {
        List<TestResult> results = new ArrayList<>();
        results.add(result("ok", Verdict.PASSED, null, "", ""));
        for (int i = 1; i <= 5; i++) {
            results.add(result("bad" + i, Verdict.FAILED, "assert f(" + i + ") == 0", "", ""));
        }
        String text = writer.write(results, 6, null);
        assertThat(text).startsWith("1 of 6 tests passed.").contains("Test `bad1` failed", "assert f(3) == 0",
                "and 2 more failing tests").doesNotContain("bad4");
    }

    @Test
    void errorShowsItsOutputButNotATracebackTwice() {
        String traceback = "Traceback (most recent call last):\n  File \"solution.py\", line 1\nValueError: x";
        String text = writer.write(List.of(result("e", Verdict.ERROR, traceback, "partial output", traceback)), 1,
                null);
        assertThat(text).contains("Test `e` raised an error", "stdout:\npartial output");
        assertThat(text.indexOf("ValueError")).isEqualTo(text.lastIndexOf("ValueError"));
    }

    @Test
    void setupFailureIsShownOnceAndCapped() {
        String text = writer.write(List.of(result("a", Verdict.ERROR, "x", "", "")), 1,
                "The code does not compile:\n" + "y".repeat(10_000));
        assertThat(text).startsWith("The code does not compile:");
        assertThat(text.length()).isLessThan(FeedbackWriter.MAX_FEEDBACK_CHARS + 100);
    }
}

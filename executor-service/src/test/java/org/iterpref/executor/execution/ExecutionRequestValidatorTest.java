package org.iterpref.executor.execution;

import org.iterpref.common.problem.InvalidRequestException;
import org.iterpref.common.problem.FieldError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.iterpref.common.execution.ExecutionLimits;
import org.iterpref.common.execution.ExecutionRequest;
import org.iterpref.common.execution.TestCase;
import org.iterpref.executor.config.ExecutorProperties;
import org.iterpref.executor.runtime.LanguageRuntime;
import org.iterpref.executor.runtime.PythonRuntime;
import org.iterpref.executor.runtime.ResolvedLimits;
import org.iterpref.executor.runtime.RuntimeRegistry;
import org.junit.jupiter.api.Test;

class ExecutionRequestValidatorTest {

    static final ExecutorProperties.Limits CAPS = new ExecutorProperties.Limits(
            new ExecutorProperties.LimitValues(5000, 512, 32, 65536),
            new ExecutorProperties.LimitValues(60000, 2048, 256, 1 << 23), 1 << 20, 1 << 20, 1000, 256, 64, 600_000);
    static final LanguageRuntime PYTHON = new PythonRuntime("/usr/bin/python3");

    final ExecutionRequestValidator validator = new ExecutionRequestValidator(CAPS, new RuntimeRegistry(List.of(PYTHON)));

    @Test
    void missingLimitsTakeDefaultsAndTheDeadlineIsTheCapWhateverTheTestText() {
        // a unittest's methods are counted by the harness once it loaded them, never guessed
        // from the text: "def test" in a string, or methods a base class or a loop defines
        ResolvedLimits limits = validator.validate(new ExecutionRequest("python", "x = 1",
                List.of(TestCase.assertion("a", "pass"), TestCase.unittestSuite("s",
                        "class T:\n    'def test'\n    def test_a(self): pass\n")), null, null));
        assertThat(limits.wallTimeMs()).isEqualTo(5000);
        assertThat(limits.memoryMb()).isEqualTo(512);
        assertThat(limits.totalWallTimeMs()).isEqualTo(600_000);
    }

    @Test
    void deadlineNeverPassesTheCap() {
        List<TestCase> tests = java.util.stream.IntStream.range(0, 1000)
                .mapToObj(i -> TestCase.assertion("t" + i, "pass")).toList();
        ResolvedLimits limits = validator.validate(new ExecutionRequest("python", "x", tests,
                new ExecutionLimits(60_000, null, null, null), null));
        assertThat(limits.totalWallTimeMs()).isEqualTo(600_000);
    }

    @Test
    void reportsEveryFieldAtFaultAtOnce() {
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class,
                () -> validator.validate(new ExecutionRequest(null, null, List.of(new TestCase(" ", null, null, null, null)),
                        new ExecutionLimits(0, 1 << 20, null, null), null)));
        assertThat(e.tooLarge()).isFalse();
        assertThat(e.errors()).extracting(FieldError::field).containsExactly("language", "code", "tests[0].name",
                "tests[0]", "limits.wallTimeMs", "limits.memoryMb");
    }

    @Test
    void sizeCapsAreTooLargeAndCountUtf8Bytes() {
        String code = "é".repeat((1 << 19) + 1); // 2 bytes each in UTF-8: just over 1 MiB
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class,
                () -> validator.validate(new ExecutionRequest("python", code, List.of(TestCase.assertion("a", "p")),
                        null, null)));
        assertThat(e.tooLarge()).isTrue();
        assertThat(e.errors().get(0).field()).isEqualTo("code");
        validator.validate(new ExecutionRequest("python", "é".repeat(1 << 18), List.of(TestCase.assertion("a", "p")),
                null, null));
    }
}

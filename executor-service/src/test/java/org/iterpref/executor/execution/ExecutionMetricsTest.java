package org.iterpref.executor.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.iterpref.common.execution.ExecutionResult;
import org.iterpref.common.execution.TestResult;
import org.iterpref.common.execution.Verdict;
import org.junit.jupiter.api.Test;

class ExecutionMetricsTest {

    @Test
    void testsAreCountedByTheirOwnVerdict() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<TestResult> tests = List.of(
                new TestResult("a", Verdict.PASSED, 1L, 1L, 1L, 0, "", "", null),
                new TestResult("b", Verdict.PASSED, 1L, 1L, 1L, 0, "", "", null),
                new TestResult("c", Verdict.TIMEOUT, 1L, 1L, 1L, null, "", "", "slow"));
        new ExecutionMetrics(registry).record(new ExecutionResult("x", "python", "bubblewrap", Verdict.TIMEOUT,
                2, 3, 0, 10, tests, "feedback"));

        assertThat(registry.get("iterpref.execution.tests").tag("verdict", "PASSED").counter().count()).isEqualTo(2);
        assertThat(registry.get("iterpref.execution.tests").tag("verdict", "TIMEOUT").counter().count()).isEqualTo(1);
        assertThat(registry.find("iterpref.execution.tests").tag("outcome", "some_failed").counter()).isNull();
    }
}

package org.iterpref.executor.execution;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.iterpref.common.execution.ExecutionResult;
import org.iterpref.common.execution.TestResult;

/** Counts executions by verdict and backend, and times them. */
public final class ExecutionMetrics {

    private final MeterRegistry registry;

    public ExecutionMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void record(ExecutionResult result) {
        Counter.builder("iterpref.executions")
                .description("Executions finished, by verdict and sandbox backend")
                .tag("verdict", result.verdict().name())
                .tag("backend", result.backend())
                .tag("language", result.language())
                .register(registry)
                .increment();
        Timer.builder("iterpref.execution.duration")
                .description("Wall time of an execution, sandbox start to last test")
                .tag("backend", result.backend())
                .publishPercentileHistogram()
                .register(registry)
                .record(Duration.ofMillis(result.wallTimeMs()));
        for (TestResult test : result.tests()) {
            Counter.builder("iterpref.execution.tests")
                    .description("Tests run, by verdict")
                    .tag("backend", result.backend())
                    .tag("verdict", test.verdict().name())
                    .register(registry)
                    .increment();
        }
    }
}

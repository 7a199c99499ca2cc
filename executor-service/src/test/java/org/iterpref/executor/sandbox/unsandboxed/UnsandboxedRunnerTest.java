package org.iterpref.executor.sandbox.unsandboxed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.iterpref.common.execution.ExecutionRequest;
import org.iterpref.common.execution.ExecutionResult;
import org.iterpref.common.execution.TestCase;
import org.iterpref.common.execution.Verdict;
import org.iterpref.executor.ExecutorApplication;
import org.iterpref.executor.execution.ExecutionService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/** The development-only runner needs two explicit properties and says loudly that it is on. */
@ExtendWith(OutputCaptureExtension.class)
class UnsandboxedRunnerTest {

    /** Command-line arguments, which override application.yml as they would for an operator. */
    static ConfigurableApplicationContext start(String... arguments) {
        String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("--server.port=0"),
                java.util.Arrays.stream(arguments)).toArray(String[]::new);
        return new SpringApplicationBuilder(ExecutorApplication.class).run(args);
    }

    @Test
    void refusesToStartWithoutTheExplicitAllowFlag() {
        assertThatThrownBy(() -> start("--iterpref.executor.backend=unsandboxed").close())
                .hasStackTraceContaining("allow-unsandboxed=true");
    }

    @Test
    void runsProgramsAndWarnsLoudlyWhenAllowed(CapturedOutput output) throws Exception {
        try (ConfigurableApplicationContext context = start("--iterpref.executor.backend=unsandboxed",
                "--iterpref.executor.allow-unsandboxed=true")) {
            assertThat(output.getAll()).contains("UNSANDBOXED EXECUTION ENABLED");
            ExecutionResult result = context.getBean(ExecutionService.class).execute(new ExecutionRequest("python",
                    "def f():\n    return 2\n", List.of(TestCase.assertion("t", "assert f() == 2")), null, null)).get();
            assertThat(result.verdict()).isEqualTo(Verdict.PASSED);
            assertThat(result.backend()).isEqualTo("unsandboxed");
        }
    }
}

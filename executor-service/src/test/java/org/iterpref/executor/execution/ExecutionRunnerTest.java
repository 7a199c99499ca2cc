package org.iterpref.executor.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.iterpref.common.execution.ExecutionRequest;
import org.iterpref.common.execution.ExecutionResult;
import org.iterpref.common.execution.TestCase;
import org.iterpref.common.execution.TestResult;
import org.iterpref.common.execution.Verdict;
import org.iterpref.executor.runtime.LanguageRuntime;
import org.iterpref.executor.runtime.ResolvedLimits;
import org.iterpref.executor.runtime.RuntimeRegistry;
import org.iterpref.executor.sandbox.Sandbox;
import org.iterpref.executor.sandbox.SandboxException;
import org.iterpref.executor.sandbox.SandboxInvocation;
import org.iterpref.executor.sandbox.SandboxOutput;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * How the runner reads the harness protocol when the harness does not finish: a test that takes
 * the harness down, the execution deadline, a sandbox that cannot start. The sandbox here replays
 * scripted harness output, so each failure mode is exact.
 */
class ExecutionRunnerTest {

    static final ResolvedLimits LIMITS = new ResolvedLimits(1000, 256, 32, 4096, 16, 9000);
    static final ExecutionRequest REQUEST = new ExecutionRequest("python", "x = 1",
            List.of(TestCase.assertion("a", "pass"), TestCase.assertion("b", "pass"), TestCase.assertion("c", "pass")),
            null, false);

    final JsonMapper json = JsonMapper.builder().build();

    /** Replays one scripted output per attempt and records the specs it was given. */
    static final class ScriptedSandbox implements Sandbox {
        final Deque<Object> outputs = new ArrayDeque<>();
        final List<java.util.Map<String, Object>> specs = new ArrayList<>();

        ScriptedSandbox then(int exit, boolean deadline, String... lines) {
            String out = lines.length == 0 ? "" : String.join("\n", lines) + "\n";
            outputs.add(new SandboxOutput(exit, out.getBytes(StandardCharsets.UTF_8), "", deadline, false));
            return this;
        }

        /** The kernel's OOM killer ended the harness (SIGKILL) after these lines. */
        ScriptedSandbox thenOutOfMemory(String... lines) {
            String out = lines.length == 0 ? "" : String.join("\n", lines) + "\n";
            outputs.add(new SandboxOutput(137, out.getBytes(StandardCharsets.UTF_8), "", false, false, true));
            return this;
        }

        ScriptedSandbox thenFail(String message) {
            outputs.add(new SandboxException(message));
            return this;
        }

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public SandboxOutput run(SandboxInvocation invocation) {
            specs.add(invocation.spec());
            Object next = outputs.removeFirst();
            if (next instanceof SandboxException e) {
                throw e;
            }
            return (SandboxOutput) next;
        }
    }

    ExecutionResult run(ScriptedSandbox sandbox) {
        LanguageRuntime python = new org.iterpref.executor.runtime.PythonRuntime("/usr/bin/python3");
        return new ExecutionRunner(sandbox, new RuntimeRegistry(List.of(python)), json).run("id-1", REQUEST, LIMITS);
    }

    static String result(String name, String verdict) {
        return "{\"event\":\"result\",\"name\":\"" + name + "\",\"verdict\":\"" + verdict
                + "\",\"timeMs\":1,\"exitCode\":0,\"stdout\":\"\",\"stderr\":\"\"}";
    }

    static final String READY = "{\"event\":\"ready\"}";
    static final String UNITS = "{\"event\":\"units\",\"names\":[\"a\",\"b\",\"c\"]}";
    static final String DONE = "{\"event\":\"done\",\"skipped\":[]}";

    static List<String> verdicts(ExecutionResult result) {
        return result.tests().stream().map(t -> t.name() + "=" + t.verdict()).toList();
    }

    @Test
    void testThatKillsTheHarnessGetsErrorAndTheRestRunInAFreshSandbox() {
        ScriptedSandbox sandbox = new ScriptedSandbox()
                .then(137, false, READY, UNITS, "{\"event\":\"start\",\"name\":\"a\"}", result("a", "PASSED"),
                        "{\"event\":\"start\",\"name\":\"b\"}")
                .then(0, false, READY, UNITS, "{\"event\":\"start\",\"name\":\"c\"}", result("c", "PASSED"), DONE);

        ExecutionResult result = run(sandbox);

        assertThat(verdicts(result)).containsExactly("a=PASSED", "b=ERROR", "c=PASSED");
        assertThat(result.tests().get(1).message()).contains("terminated the test harness", "signal 9");
        assertThat(sandbox.specs.get(1).get("skip")).isEqualTo(List.of("a", "b"));
        assertThat(result.verdict()).isEqualTo(Verdict.ERROR);
    }

    @Test
    void harnessKilledOnEveryAttemptStopsAfterThreeAttempts() {
        ScriptedSandbox sandbox = new ScriptedSandbox();
        for (String name : List.of("a", "b", "c")) {
            sandbox.then(137, false, READY, UNITS, "{\"event\":\"start\",\"name\":\"" + name + "\"}");
        }
        ExecutionResult result = run(sandbox);
        assertThat(verdicts(result)).containsExactly("a=ERROR", "b=ERROR", "c=ERROR");
        assertThat(sandbox.specs).hasSize(ExecutionRunner.MAX_ATTEMPTS);
    }

    @Test
    void deadlineGivesTheRunningTestAndTheRemainingOnesTimeout() {
        ScriptedSandbox sandbox = new ScriptedSandbox().then(-1, true, READY, UNITS, result("a", "PASSED"),
                "{\"event\":\"start\",\"name\":\"b\"}");
        ExecutionResult result = run(sandbox);
        assertThat(verdicts(result)).containsExactly("a=PASSED", "b=TIMEOUT", "c=TIMEOUT");
        assertThat(result.tests().get(2).message()).startsWith("Not run: Execution deadline exceeded");
        assertThat(result.verdict()).isEqualTo(Verdict.TIMEOUT);
    }

    @Test
    void sandboxThatCannotStartIsSandboxErrorForEveryTest() {
        ExecutionResult result = run(new ScriptedSandbox().then(1, false));
        assertThat(verdicts(result)).containsExactly("a=SANDBOX_ERROR", "b=SANDBOX_ERROR", "c=SANDBOX_ERROR");
        assertThat(result.verdict()).isEqualTo(Verdict.SANDBOX_ERROR);
        assertThat(result.feedback()).contains("could not start");
    }

    @Test
    void sandboxExceptionIsSandboxError() {
        ExecutionResult result = run(new ScriptedSandbox().thenFail("engine gone"));
        assertThat(result.verdict()).isEqualTo(Verdict.SANDBOX_ERROR);
        assertThat(result.tests()).extracting(TestResult::message).allMatch(m -> m.contains("engine gone"));
    }

    @Test
    void codeThatKillsTheHarnessWhileLoadingIsErrorForEveryTest() {
        ExecutionResult result = run(new ScriptedSandbox().then(3, false, READY));
        assertThat(verdicts(result)).containsExactly("a=ERROR", "b=ERROR", "c=ERROR");
        assertThat(result.feedback()).contains("terminated the test harness while loading");
    }

    @Test
    void unreadableLinesAreIgnored() {
        ExecutionResult result = run(new ScriptedSandbox().then(0, false, READY, "garbage{", UNITS,
                result("a", "PASSED"), result("b", "PASSED"), result("c", "NOT_A_VERDICT"), DONE));
        assertThat(verdicts(result)).containsExactly("a=PASSED", "b=PASSED", "c=ERROR");
    }

    @Test
    void harnessKilledForMemoryGivesTheRunningTestMemoryLimitAndTheRestRunInAFreshSandbox() {
        ScriptedSandbox sandbox = new ScriptedSandbox()
                .thenOutOfMemory(READY, UNITS, "{\"event\":\"start\",\"name\":\"a\"}")
                .then(0, false, READY, UNITS, result("b", "PASSED"), result("c", "PASSED"), DONE);

        ExecutionResult result = run(sandbox);

        assertThat(verdicts(result)).containsExactly("a=MEMORY_LIMIT", "b=PASSED", "c=PASSED");
        assertThat(result.tests().get(0).message()).contains("ran out of memory", "256 MB");
        assertThat(result.verdict()).isEqualTo(Verdict.MEMORY_LIMIT);
    }

    @Test
    void harnessKilledForMemoryWhileLoadingIsMemoryLimitNotASandboxFailure() {
        ExecutionResult result = run(new ScriptedSandbox().thenOutOfMemory());
        assertThat(verdicts(result)).containsExactly("a=MEMORY_LIMIT", "b=MEMORY_LIMIT", "c=MEMORY_LIMIT");
        assertThat(result.feedback()).contains("ran out of memory");
    }
}

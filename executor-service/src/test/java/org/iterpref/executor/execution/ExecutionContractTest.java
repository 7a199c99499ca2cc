package org.iterpref.executor.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.iterpref.executor.support.Programs.assertTest;
import static org.iterpref.executor.support.Programs.execution;
import static org.iterpref.executor.support.Programs.ioTest;
import static org.iterpref.executor.support.Programs.unittest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.iterpref.executor.support.ExecutorClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** The REST contract of /v1/executions, through the real bubblewrap sandbox. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ExecutionContractTest {

    static final String ADD = "def add(a, b):\n    return a + b\n";

    @LocalServerPort
    int port;
    ExecutorClient client;

    @BeforeEach
    void setUp() {
        client = new ExecutorClient(port);
    }

    JsonNode run(Map<String, Object> body) {
        ExecutorClient.Reply reply = client.post("/v1/executions", body);
        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        return reply.body();
    }

    static List<String> verdicts(JsonNode result) {
        List<String> verdicts = new ArrayList<>();
        result.get("tests").forEach(t -> verdicts.add(t.get("name").asString() + "=" + t.get("verdict").asString()));
        return verdicts;
    }

    @Test
    void responseCarriesIdCountsAndPerTestDetails() {
        JsonNode result = run(execution(ADD, List.of(assertTest("t1", "assert add(1, 2) == 3"),
                ioTest("io", "1 2\n", "3\n"))));
        // the io test feeds stdin to the program itself, which only defines add: it prints nothing
        assertThat(verdicts(result)).containsExactly("t1=PASSED", "io=FAILED");
        assertThat(result.get("id").asString()).isNotBlank();
        assertThat(result.get("passed").asInt()).isEqualTo(1);
        assertThat(result.get("total").asInt()).isEqualTo(2);
        assertThat(result.get("verdict").asString()).isEqualTo("FAILED");
        assertThat(result.get("backend").asString()).isEqualTo("bubblewrap");
        JsonNode first = result.get("tests").get(0);
        assertThat(first.get("timeMs").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(first.get("peakMemoryKb").asLong()).isPositive();
    }

    @Test
    void allTestsPassingGivesPassed() {
        String program = "a, b = map(int, input().split())\nprint(a + b)\n";
        JsonNode result = run(execution(program, List.of(ioTest("one", "1 2\n", "3\n"),
                ioTest("two", "40 2", "42   \n\n\n"))));
        assertThat(verdicts(result)).containsExactly("one=PASSED", "two=PASSED");
        assertThat(result.get("verdict").asString()).isEqualTo("PASSED");
        assertThat(result.get("feedback").asString()).isEqualTo("All 2 tests passed.");
    }

    @Test
    void failingAssertShowsExpressionAndActualValueInFeedback() {
        String buggy = "def add(a, b):\n    return a - b\n";
        JsonNode result = run(execution(buggy, List.of(assertTest("t1", "assert add(0, 0) == 0"),
                assertTest("t2", "def check(candidate):\n    assert candidate(2, 3) == 5\ncheck(add)\n"))));
        assertThat(verdicts(result)).containsExactly("t1=PASSED", "t2=FAILED");
        String feedback = result.get("feedback").asString();
        assertThat(feedback).contains("1 of 2 tests passed", "Test `t2` failed", "assert candidate(2, 3) == 5",
                "where candidate(2, 3) = -1", "AssertionError");
        assertThat(feedback).doesNotContain("/sandbox", "harness.py", "/work/", "/usr/lib");
    }

    @Test
    void stdoutTestsIgnoreTrailingWhitespaceButReportTheFirstWrongLine() {
        String program = "n = int(input())\nfor i in range(n):\n    print(i * i, '  ')\n";
        JsonNode result = run(execution(program, List.of(ioTest("ok", "3\n", "0\n1\n4\n"),
                ioTest("wrong", "3\n", "0\n1\n5\n"))));
        assertThat(verdicts(result)).containsExactly("ok=PASSED", "wrong=FAILED");
        assertThat(result.get("tests").get(1).get("message").asString())
                .contains("line 3", "expected: '5'", "actual:   '4'");
    }

    @Test
    void unittestSuiteGivesOneResultPerMethod() {
        String suite = """
                import unittest
                class TestCases(unittest.TestCase):
                    def test_small(self):
                        self.assertEqual(add(1, 1), 2)
                    def test_wrong(self):
                        self.assertEqual(add(2, 2), 5)
                    def test_raises(self):
                        raise KeyError('missing')
                """;
        JsonNode result = run(execution(ADD, List.of(unittest("suite", suite))));
        assertThat(verdicts(result)).containsExactly("TestCases.test_raises=ERROR", "TestCases.test_small=PASSED",
                "TestCases.test_wrong=FAILED");
        assertThat(result.get("total").asInt()).isEqualTo(3);
        assertThat(result.get("tests").get(2).get("message").asString()).contains("AssertionError: 4 != 5");
    }

    @Test
    void missingModuleIsAnErrorNamingTheModule() {
        String code = "import surely_not_installed_pkg\n\ndef f():\n    return 1\n";
        JsonNode result = run(execution(code, List.of(assertTest("t", "assert f() == 1"))));
        assertThat(result.get("verdict").asString()).isEqualTo("ERROR");
        assertThat(result.get("feedback").asString()).contains("ModuleNotFoundError", "surely_not_installed_pkg");
    }

    @Test
    void installedPackagesOfTheInterpreterAreVisibleReadOnly() {
        // the standard library and the interpreter's own site dirs are mounted read-only
        String code = "import json, sysconfig\n\ndef where():\n    return sysconfig.get_paths()['purelib']\n";
        JsonNode result = run(execution(code, List.of(
                assertTest("readable", "import json\nassert json.loads('[1]') == [1]"),
                assertTest("readonly", "import os, json\ntry:\n    open(os.path.join(os.path.dirname(json.__file__), 'x.py'), 'w')\n"
                        + "    raise SystemExit('wrote into the stdlib')\nexcept OSError:\n    pass\n"))));
        assertThat(verdicts(result)).containsExactly("readable=PASSED", "readonly=PASSED");
    }

    @Test
    void syntaxErrorIsErrorForEveryTestWithCompilerMessage() {
        JsonNode result = run(execution("def add(a, b)\n    return a + b\n",
                List.of(assertTest("t1", "assert add(1, 2) == 3"), assertTest("t2", "assert add(0, 0) == 0"))));
        assertThat(verdicts(result)).containsExactly("t1=ERROR", "t2=ERROR");
        assertThat(result.get("feedback").asString()).contains("does not compile", "solution.py", "line 1",
                "SyntaxError");
    }

    @Test
    void infiniteLoopOrCrashInOneTestLeavesTheOthersTheirVerdicts() {
        JsonNode result = run(execution(ADD, List.of(
                assertTest("before", "assert add(1, 1) == 2"),
                assertTest("loops", "while True:\n    pass\n"),
                assertTest("segfaults", "import ctypes\nctypes.string_at(0)\n"),
                assertTest("exits", "import os\nos._exit(7)\n"),
                assertTest("raises", "raise ValueError('boom')"),
                assertTest("after", "assert add(2, 2) == 4")), Map.of("wallTimeMs", 1000)));
        assertThat(verdicts(result)).containsExactly("before=PASSED", "loops=TIMEOUT", "segfaults=ERROR",
                "exits=ERROR", "raises=ERROR", "after=PASSED");
        assertThat(result.get("tests").get(2).get("message").asString()).contains("SIGSEGV");
        assertThat(result.get("tests").get(3).get("exitCode").asInt()).isEqualTo(7);
    }

    @Test
    void everyLimitVerdict() {
        JsonNode result = run(execution("def f():\n    return 1\n", List.of(
                assertTest("timeout", "import time\ntime.sleep(30)"),
                assertTest("memory", "x = bytearray(1024 * 1024 * 1024)"),
                assertTest("output", "print('x' * (1 << 20))")),
                Map.of("wallTimeMs", 1000, "memoryMb", 128, "maxOutputBytes", 4096)));
        assertThat(verdicts(result)).containsExactly("timeout=TIMEOUT", "memory=MEMORY_LIMIT", "output=OUTPUT_LIMIT");
        assertThat(result.get("verdict").asString()).isEqualTo("TIMEOUT");
        assertThat(result.get("tests").get(2).get("stdout").asString().length()).isLessThan(4096 + 200);
    }

    @Test
    void stopOnFirstFailureSkipsTheRest() {
        Map<String, Object> body = new java.util.HashMap<>(execution(ADD, List.of(
                assertTest("a", "assert add(1, 1) == 2"), assertTest("b", "assert add(1, 1) == 3"),
                assertTest("c", "assert add(1, 1) == 2"))));
        body.put("stopOnFirstFailure", true);
        JsonNode result = run(body);
        assertThat(verdicts(result)).containsExactly("a=PASSED", "b=FAILED");
        assertThat(result.get("total").asInt()).isEqualTo(3);
        assertThat(result.get("skipped").asInt()).isEqualTo(1);
    }

    @Test
    void batchReturnsResultsInRequestOrder() {
        List<Map<String, Object>> executions = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            executions.add(execution(ADD, List.of(assertTest("t", "assert add(" + i + ", 1) == " + (i % 2 == 0 ? i + 1 : -1)))));
        }
        ExecutorClient.Reply reply = client.post("/v1/executions/batch", Map.of("executions", executions));
        assertThat(reply.status()).isEqualTo(200);
        List<String> verdicts = new ArrayList<>();
        reply.body().get("results").forEach(r -> verdicts.add(r.get("verdict").asString()));
        assertThat(verdicts).containsExactly("PASSED", "FAILED", "PASSED", "FAILED", "PASSED", "FAILED");
    }

    @Test
    void metricsAndProbesAreExposed() {
        run(execution(ADD, List.of(assertTest("t1", "assert add(1, 2) == 3"))));
        ExecutorClient.Reply readiness = client.get("/actuator/health/readiness");
        assertThat(readiness.status()).isEqualTo(200);
        assertThat(client.get("/actuator/health/liveness").status()).isEqualTo(200);
        String prometheus = client.get("/actuator/prometheus").raw();
        assertThat(prometheus).contains("iterpref_executions_total{", "backend=\"bubblewrap\"", "verdict=\"PASSED\"",
                "iterpref_execution_duration_seconds", "iterpref_executor_queue_depth",
                "iterpref_executions_rejected_total");
        assertThat(client.get("/v3/api-docs").raw()).contains("/v1/executions/batch");
    }
}

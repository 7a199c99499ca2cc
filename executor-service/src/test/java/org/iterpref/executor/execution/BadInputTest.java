package org.iterpref.executor.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.iterpref.executor.support.Programs.assertTest;
import static org.iterpref.executor.support.Programs.execution;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.iterpref.executor.support.ExecutorClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Bad input gets 400/413 problem+json naming the field; never a 500, never a stack trace. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BadInputTest {

    @LocalServerPort
    int port;
    ExecutorClient client;

    @BeforeEach
    void setUp() {
        client = new ExecutorClient(port);
    }

    void assertProblem(ExecutorClient.Reply reply, int status, String field) {
        assertThat(reply.status()).as(reply.raw()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.body().get("status").asInt()).isEqualTo(status);
        assertThat(reply.body().get("field").asString()).isEqualTo(field);
        assertThat(reply.body().get("detail").asString()).isNotBlank();
        assertThat(reply.raw()).doesNotContain("at org.", "Exception:", "\"trace\"");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not json at all          | {\"language\": \"python\", \"code\": | body",
        "trailing garbage         | {\"language\": \"python\"} xyz | body",
        "unknown field            | {\"language\":\"python\",\"code\":\"x=1\",\"tests\":[{\"name\":\"t\",\"code\":\"pass\"}],\"limits\":{\"wallTime\":5}} | limits.wallTime",
        "wrong type               | {\"language\":\"python\",\"code\":\"x=1\",\"tests\":[{\"name\":\"t\",\"code\":\"pass\"}],\"limits\":{\"wallTimeMs\":\"soon\"}} | limits.wallTimeMs",
        "tests not a list         | {\"language\":\"python\",\"code\":\"x=1\",\"tests\":{\"name\":\"t\"}} | tests",
        "empty body               | '' | body",
    })
    void malformedBodies(String description, String body, String field) {
        assertProblem(client.post("/v1/executions", body), 400, field.strip());
    }

    @Test
    void unknownLanguageNamesSupportedOnes() {
        var reply = client.post("/v1/executions", execution("x = 1", List.of(assertTest("t", "pass")))
                .entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
                        e -> e.getKey().equals("language") ? "cobol" : e.getValue())));
        assertProblem(reply, 400, "language");
        assertThat(reply.body().get("detail").asString()).contains("cobol", "python");
    }

    @Test
    void aProgramWithANulByteGetsItsVerdictNotA400() {
        // what a byte-level model can write; the executor stores nothing, so Python judges it
        var reply = client.post("/v1/executions", execution("def f():\n    return 1\u0000\n",
                List.of(assertTest("t", "assert f() == 1"))));
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("verdict").asString()).isIn("FAILED", "ERROR");
    }

    @Test
    void missingCode() {
        var body = new java.util.HashMap<>(execution("x", List.of(assertTest("t", "pass"))));
        body.remove("code");
        assertProblem(client.post("/v1/executions", body), 400, "code");
    }

    @Test
    void missingOrEmptyTests() {
        assertProblem(client.post("/v1/executions", execution("x = 1", List.of())), 400, "tests");
    }

    @Test
    void testWithTwoStylesOrNone() {
        var both = Map.<String, Object>of("name", "t", "code", "pass", "expectedStdout", "1");
        assertProblem(client.post("/v1/executions", execution("x = 1", List.of(both))), 400, "tests[0]");
        var none = Map.<String, Object>of("name", "t");
        assertProblem(client.post("/v1/executions", execution("x = 1", List.of(none))), 400, "tests[0]");
    }

    @Test
    void duplicateAndMissingTestNames() {
        assertProblem(client.post("/v1/executions", execution("x = 1",
                List.of(assertTest("t", "pass"), assertTest("t", "pass")))), 400, "tests[1].name");
        assertProblem(client.post("/v1/executions", execution("x = 1",
                List.of(Map.of("code", "pass")))), 400, "tests[0].name");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({"wallTimeMs, 60001", "wallTimeMs, 0", "memoryMb, 4096", "memoryMb, -1", "maxProcesses, 100000",
        "maxOutputBytes, 0"})
    void limitsOutOfRange(String limit, int value) {
        var reply = client.post("/v1/executions", execution("x = 1", List.of(assertTest("t", "pass")),
                Map.of(limit, value)));
        assertProblem(reply, 400, "limits." + limit);
        assertThat(reply.body().get("detail").asString()).contains("between");
    }

    @Test
    void codeOverOneMegabyteIs413() {
        String code = "x = 1\n" + "#".repeat(1024 * 1024);
        assertProblem(client.post("/v1/executions", execution(code, List.of(assertTest("t", "pass")))), 413, "code");
    }

    @Test
    void tooManyTestsIs413() {
        List<Map<String, Object>> tests = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            tests.add(assertTest("t" + i, "pass"));
        }
        assertProblem(client.post("/v1/executions", execution("x = 1", tests)), 413, "tests");
    }

    @Test
    void bodyOverTheRequestCapIs413() {
        String huge = "{\"language\":\"python\",\"code\":\"" + "a".repeat(33 * 1024 * 1024) + "\"}";
        var reply = client.post("/v1/executions", huge);
        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.contentType()).startsWith("application/problem+json");
    }

    @Test
    void batchErrorsNameTheExecution() {
        var good = execution("x = 1", List.of(assertTest("t", "pass")));
        var bad = execution("x = 1", List.of(assertTest("t", "pass")), Map.of("memoryMb", 999999));
        assertProblem(client.post("/v1/executions/batch", Map.of("executions", List.of(good, bad))), 400,
                "executions[1].limits.memoryMb");
        assertProblem(client.post("/v1/executions/batch", Map.of("executions", List.of())), 400, "executions");
        List<Object> tooMany = new ArrayList<>();
        for (int i = 0; i < 257; i++) {
            tooMany.add(good);
        }
        assertProblem(client.post("/v1/executions/batch", Map.of("executions", tooMany)), 413, "executions");
    }

    @Test
    void unknownPathAndWrongMethodAreProblems() {
        var notFound = client.get("/v1/nothing-here");
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.contentType()).startsWith("application/problem+json");
        var wrongMethod = client.get("/v1/executions");
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.contentType()).startsWith("application/problem+json");
    }
}

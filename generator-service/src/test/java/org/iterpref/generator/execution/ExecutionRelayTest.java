package org.iterpref.generator.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.iterpref.generator.support.GeneratorClient.Reply;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code POST /v1/executions[/batch]} relayed to the real executor (bubblewrap sandbox) over real HTTP. */
class ExecutionRelayTest extends GeneratorIntegrationTest {

    static final long RELAY_CAP = 64 * 1024;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, ExecutionRelayTest.class);
        // far below the executor's own 32 MiB: a 413 can only be the relay's
        registry.add("iterpref.generator.executor.max-request-bytes", () -> RELAY_CAP);
    }

    static Map<String, Object> execution(String code) {
        return Map.of("language", "python", "code", code,
                "tests", List.of(Map.of("name", "small", "code", "assert add(1, 2) == 3"),
                        Map.of("name", "zeros", "code", "assert add(0, 0) == 0")));
    }

    @Test
    void shouldRelayAPassingAndAFailingExecutionWithTheExecutorsVerdicts() {
        Reply passing = client().post("/v1/executions", execution("def add(a, b):\n    return a + b\n"));
        assertThat(passing.status()).as(passing.raw()).isEqualTo(200);
        assertThat(passing.contentType()).startsWith("application/json");
        assertThat(passing.body().get("verdict").asString()).isEqualTo("PASSED");
        assertThat(passing.body().get("passed").asInt()).isEqualTo(2);
        assertThat(passing.body().get("backend").asString()).as("run in the executor's sandbox").isNotBlank();

        Reply failing = client().post("/v1/executions", execution("def add(a, b):\n    return a - b\n"));
        assertThat(failing.status()).as(failing.raw()).isEqualTo(200);
        assertThat(failing.body().get("verdict").asString()).isEqualTo("FAILED");
        assertThat(failing.body().get("passed").asInt()).isEqualTo(1);
        JsonNode first = failing.body().get("tests").get(0);
        assertThat(first.get("name").asString()).isEqualTo("small");
        assertThat(first.get("verdict").asString()).isEqualTo("FAILED");
        assertThat(failing.body().get("feedback").asString()).contains("assert add(1, 2) == 3");
    }

    @Test
    void shouldRelayABatchWithResultsInRequestOrder() {
        Reply batch = client().post("/v1/executions/batch", Map.of("executions", List.of(
                execution("def add(a, b):\n    return a - b\n"), execution("def add(a, b):\n    return a + b\n"))));
        assertThat(batch.status()).as(batch.raw()).isEqualTo(200);
        JsonNode results = batch.body().get("results");
        assertThat(results).hasSize(2);
        assertThat(results.get(0).get("verdict").asString()).isEqualTo("FAILED");
        assertThat(results.get(1).get("verdict").asString()).isEqualTo("PASSED");
    }

    @Test
    void shouldPassTheExecutorsBadRequestProblemThroughNamingTheField() {
        Reply noCode = client().post("/v1/executions", Map.of("language", "python",
                "tests", List.of(Map.of("name", "t", "code", "assert True"))));
        assertThat(noCode.status()).as(noCode.raw()).isEqualTo(400);
        assertThat(noCode.contentType()).startsWith("application/problem+json");
        assertThat(noCode.body().get("field").asString()).isEqualTo("code");

        Reply batch = client().post("/v1/executions/batch", Map.of("executions", List.of(
                execution("def add(a, b):\n    return a + b\n"), Map.of("language", "cobol", "code", "x",
                        "tests", List.of(Map.of("name", "t", "code", "assert True"))))));
        assertThat(batch.status()).as(batch.raw()).isEqualTo(400);
        assertThat(batch.body().get("field").asString()).isEqualTo("executions[1].language");

        Reply unknownField = client().post("/v1/executions", "application/json", "{\"language\": \"python\", \"kode\": 1}");
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.body().get("field").asString()).isEqualTo("kode");
    }

    @Test
    void shouldRefuseAnOversizedBodyWith413BeforeItReachesTheExecutor() throws Exception {
        String big = new JsonMapper().writeValueAsString(execution("x = '" + "a".repeat((int) RELAY_CAP) + "'\n"));
        Reply declared = client().post("/v1/executions", "application/json", big);
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.contentType()).startsWith("application/problem+json");
        assertThat(declared.body().get("field").asString()).isEqualTo("body");

        // chunked: no Content-Length to refuse up front, the cap holds while the body is read
        HttpResponse<String> chunked = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/executions/batch"))
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(1))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(
                        ("{\"executions\": [" + big + "]}").getBytes(StandardCharsets.UTF_8))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.statusCode()).as(chunked.body()).isEqualTo(413);
        assertThat(chunked.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
    }

    @Test
    void shouldDocumentBothEndpointsWithTheExecutorsSchemas() {
        Reply docs = client().get("/v3/api-docs");
        assertThat(docs.status()).isEqualTo(200);
        JsonNode paths = docs.body().get("paths");
        for (String path : List.of("/v1/executions", "/v1/executions/batch")) {
            JsonNode post = paths.get(path).get("post");
            assertThat(post.get("requestBody").toString()).contains("Execution");
            assertThat(post.get("responses").propertyNames()).contains("200", "400", "413", "429", "502", "503", "504");
        }
        assertThat(docs.body().get("components").get("schemas").propertyNames())
                .contains("ExecutionRequest", "ExecutionResult", "BatchExecutionRequest", "BatchExecutionResult");
    }

    @Test
    void shouldRefuseABodyThatIsNotJson() {
        Reply text = client().post("/v1/executions", "text/plain", "print(1)");
        assertThat(text.status()).isEqualTo(415);
        assertThat(text.contentType()).startsWith("application/problem+json");
    }
}

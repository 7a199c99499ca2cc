package org.iterpref.generator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.iterpref.generator.support.GeneratorClient;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A run against a real HTTP server speaking the OpenAI chat-completions protocol: the "model"
 * answers the first attempt with a bug and fixes it once the executor's feedback comes back.
 */
class OpenAiSourceRunTest extends GeneratorIntegrationTest {

    static HttpServer server;
    static final AtomicInteger requests = new AtomicInteger();
    static final JsonMapper json = JsonMapper.builder().build();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, OpenAiSourceRunTest.class);
    }

    @BeforeAll
    static void startModelServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", exchange -> {
            requests.incrementAndGet();
            JsonNode body = json.readTree(exchange.getRequestBody().readAllBytes());
            String prompt = body.get("messages").get(body.get("messages").size() - 1).get("content").asString();
            boolean refining = prompt.contains("tests passed");
            String code = refining ? "def add(a, b):\n    return a + b\n" : "def add(a, b):\n    return a - b\n";
            String reply = json.writeValueAsString(Map.of("id", "c1", "object", "chat.completion",
                    "model", body.get("model").asString(),
                    "choices", List.of(Map.of("index", 0, "finish_reason", "stop",
                            "message", Map.of("role", "assistant", "content", "Here:\n```python\n" + code + "```\n"))),
                    "usage", Map.of("prompt_tokens", 42, "completion_tokens", 17, "total_tokens", 59)));
            byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterAll
    static void stopModelServer() {
        server.stop(0);
    }

    @Test
    void modelTrajectoryRefinesFromExecutorFeedback() {
        GeneratorClient client = client();
        client.post("/v1/tasks", Map.of("set", "llm", "id", "add", "prompt", "Write add(a, b) returning the sum.",
                "entryPoint", "add", "tests", List.of(Map.of("name", "sum", "code", "assert add(2, 3) == 5"))));
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
        var run = client.post("/v1/generation-runs", Map.of("taskSet", "llm", "maxIterations", 3,
                "source", Map.of("type", "openai", "baseUrl", base, "model", "fake-coder", "temperature", 0.0)));
        assertThat(run.status()).as(run.raw()).isEqualTo(202);
        assertThat(run.body().get("synthetic").asBoolean()).isFalse();
        String runId = run.body().get("id").asString();
        await().atMost(Duration.ofMinutes(1)).until(() ->
                client.get("/v1/generation-runs/" + runId).body().get("status").asString().equals("COMPLETED"));

        JsonNode list = client.get("/v1/trajectories?run=" + runId).body().get("trajectories");
        JsonNode trajectory = client.get("/v1/trajectories/" + list.get(0).get("id").asString()).body();
        assertThat(trajectory.get("status").asString()).isEqualTo("PASSED");
        assertThat(trajectory.get("synthetic").asBoolean()).isFalse();
        JsonNode iterations = trajectory.get("iterations");
        assertThat(iterations).hasSize(2);
        assertThat(iterations.get(0).get("verdict").asString()).isEqualTo("FAILED");
        assertThat(iterations.get(0).get("model").asString()).isEqualTo("fake-coder");
        assertThat(iterations.get(0).get("promptTokens").asInt()).isEqualTo(42);
        assertThat(iterations.get(1).get("prompt").asString()).contains("return a - b", "where add(2, 3) = -1");
        assertThat(iterations.get(1).get("verdict").asString()).isEqualTo("PASSED");
        assertThat(requests.get()).isEqualTo(2);
    }

    @Test
    void badOpenAiSettingsAreNamedFields() {
        GeneratorClient client = client();
        client.post("/v1/tasks", Map.of("set", "llm2", "prompt", "x", "tests", List.of(Map.of("name", "t", "code", "pass"))));
        var reply = client.post("/v1/generation-runs", Map.of("taskSet", "llm2",
                "source", Map.of("type", "openai", "baseUrl", "ftp://x", "model", "", "temperature", 9)));
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().get("errors").toString()).contains("source.baseUrl", "source.model", "source.temperature");
    }
}

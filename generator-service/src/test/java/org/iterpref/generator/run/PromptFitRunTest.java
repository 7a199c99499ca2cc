package org.iterpref.generator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.iterpref.generator.support.GeneratorClient;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model with a small context, as the trainer-service's tiny model: {@code GET /v1/models/{id}}
 * reports 700 tokens, a prompt counts one token per 4 bytes (plus 4 a message), and a request whose
 * prompt and {@code max_tokens} exceed the context is answered 400 as the trainer answers it. The
 * task's tests fail with long messages, so the executor's feedback alone is longer than the context:
 * the refinement must be trimmed to fit, and the trajectory must end normally, not ERRORED.
 */
class PromptFitRunTest extends GeneratorIntegrationTest {

    static final int CONTEXT = 700;
    static final JsonMapper json = JsonMapper.builder().build();
    static HttpServer server;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, PromptFitRunTest.class);
        String root = root();
        registry.add("iterpref.generator.model-servers.small.base-url", () -> root + "/v1");
    }

    static synchronized String root() {
        if (server == null) {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", PromptFitRunTest::answer);
            server.start();
        }
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stopModelServer() {
        server.stop(0);
    }

    private static void answer(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.startsWith("/v1/models/")) {
            send(exchange, 200, Map.of("id", path.substring("/v1/models/".length()), "object", "model",
                    "context_length", CONTEXT));
            return;
        }
        JsonNode body = json.readTree(exchange.getRequestBody().readAllBytes());
        int prompt = 0;
        for (JsonNode message : body.get("messages")) {
            prompt += (message.get("content").asString().getBytes(StandardCharsets.UTF_8).length + 3) / 4 + 4;
        }
        int maxTokens = body.get("max_tokens").asInt();
        if (prompt + maxTokens > CONTEXT) {
            send(exchange, 400, Map.of("error", Map.of("type", "invalid_request_error", "param", "max_tokens",
                    "message", "This model's maximum context length is " + CONTEXT + " tokens, however you requested "
                            + (prompt + maxTokens) + " tokens (" + prompt + " in your prompt; " + maxTokens
                            + " for the completion).")));
            return;
        }
        String user = body.get("messages").get(body.get("messages").size() - 1).get("content").asString();
        String code = user.contains("Your previous code") ? "def add(a, b):\n    return a + b\n"
                : "def add(a, b):\n    return a - b\n";
        send(exchange, 200, Map.of("id", "c1", "object", "chat.completion", "model", body.get("model").asString(),
                "choices", List.of(Map.of("index", 0, "finish_reason", "stop",
                        "message", Map.of("role", "assistant", "content", "```python\n" + code + "```\n"))),
                "usage", Map.of("prompt_tokens", prompt, "completion_tokens", 12, "total_tokens", prompt + 12)));
    }

    private static void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Test
    void aRefinementWithFeedbackLongerThanTheContextIsTrimmedAndTheTrajectoryEndsNormally() {
        GeneratorClient client = client();
        String longMessage = "\"the sum is wrong: \" + \"x\" * 1500";
        var imported = client.post("/v1/tasks", Map.of("set", "small", "id", "add",
                "prompt", "Write add(a, b) returning the sum.", "entryPoint", "add",
                "tests", List.of(Map.of("name", "sum", "code", "assert add(2, 3) == 5, " + longMessage),
                        Map.of("name", "zero", "code", "assert add(0, 1) == 1, " + longMessage),
                        Map.of("name", "negative", "code", "assert add(-1, -1) == -2, " + longMessage))));
        assertThat(imported.status()).as(imported.raw()).isEqualTo(201);

        var run = client.post("/v1/generation-runs", Map.of("taskSet", "small", "maxIterations", 3,
                "source", Map.of("type", "openai", "server", "small", "model", "small-coder", "temperature", 0.0,
                        "maxTokens", 64, "maxRetries", 0)));
        assertThat(run.status()).as(run.raw()).isEqualTo(202);
        String runId = run.body().get("id").asString();
        await().atMost(Duration.ofMinutes(1)).until(() ->
                client.get("/v1/generation-runs/" + runId).body().get("status").asString().equals("COMPLETED"));

        JsonNode list = client.get("/v1/trajectories?run=" + runId).body().get("trajectories");
        JsonNode trajectory = client.get("/v1/trajectories/" + list.get(0).get("id").asString()).body();
        assertThat(trajectory.get("status").asString()).as(trajectory.get("error").toString()).isEqualTo("PASSED");
        JsonNode iterations = trajectory.get("iterations");
        assertThat(iterations).hasSize(2);
        JsonNode first = iterations.get(0);
        assertThat(first.get("trimmed").asBoolean()).isFalse();
        assertThat(first.get("feedback").asString().length()).as("feedback longer than the context").isGreaterThan(4 * CONTEXT);
        JsonNode refinement = iterations.get(1);
        assertThat(refinement.get("trimmed").asBoolean()).isTrue();
        assertThat(refinement.get("prompt").asString()).contains("Write add(a, b) returning the sum.", "return a - b",
                "characters left out: too long for the model's context");
        assertThat(refinement.get("promptTokens").asInt() + 64).isLessThanOrEqualTo(CONTEXT);
        assertThat(refinement.get("verdict").asString()).isEqualTo("PASSED");
    }
}

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
import java.io.UncheckedIOException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.iterpref.generator.support.GeneratorClient;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs against a real HTTP server speaking the OpenAI chat-completions protocol: the "model"
 * answers the first attempt with a bug and fixes it once the executor's feedback comes back. The
 * server records every request it gets (path and {@code Authorization}), so the tests see what the
 * generator sent where: the operator's model server {@code fake} is {@code /v1}, the allow-listed
 * base URL {@code /open/v1}, and {@code /capture/v1} is a host a caller picked that no rule allows.
 */
class OpenAiSourceRunTest extends GeneratorIntegrationTest {

    static HttpServer server;
    static final List<String> seen = new CopyOnWriteArrayList<>();
    static final JsonMapper json = JsonMapper.builder().build();
    static final String INLINE_KEY = "sk-inline-7f3a9c1e5b";

    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, OpenAiSourceRunTest.class);
        String root = root();
        registry.add("iterpref.generator.model-servers.fake.base-url", () -> root + "/v1");
        registry.add("iterpref.generator.model-servers.fake.models[0]", () -> "fake-coder");
        registry.add("iterpref.generator.model-servers.fake.models[1]", () -> "template-coder");
        registry.add("iterpref.generator.allowed-base-urls[0]", () -> "http://127.0.0.1:*/open/v1");
    }

    static synchronized String root() {
        if (server == null) {
            startModelServer();
        }
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    static void startModelServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            JsonNode body = json.readTree(exchange.getRequestBody().readAllBytes());
            seen.add(exchange.getRequestURI().getPath() + " " + exchange.getRequestHeaders().getFirst("Authorization")
                    + " " + body.get("model").asString());
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

    static List<String> seenUnder(String prefix) {
        return seen.stream().filter(s -> s.startsWith(prefix)).toList();
    }

    @Test
    void modelTrajectoryRefinesFromExecutorFeedback() {
        GeneratorClient client = client();
        client.post("/v1/tasks", Map.of("set", "llm", "id", "add", "prompt", "Write add(a, b) returning the sum.",
                "entryPoint", "add", "tests", List.of(Map.of("name", "sum", "code", "assert add(2, 3) == 5"))));
        var run = client.post("/v1/generation-runs", Map.of("taskSet", "llm", "maxIterations", 3,
                "source", Map.of("type", "openai", "server", "fake", "model", "fake-coder", "temperature", 0.0)));
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
        assertThat(seen).filteredOn(s -> s.endsWith(" fake-coder")).containsExactly(
                "/v1/chat/completions null fake-coder", "/v1/chat/completions null fake-coder");
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

    @Test
    void aRunCannotNameTheServicesEnvironmentVariablesOrFiles() {
        GeneratorClient client = client();
        client.post("/v1/tasks", Map.of("set", "secrets", "prompt", "x", "tests", List.of(Map.of("name", "t", "code", "pass"))));
        String capture = root() + "/capture/v1";
        assertThat(System.getenv("PATH")).isNotBlank();
        for (Map<String, Object> source : List.of(
                Map.<String, Object>of("type", "openai", "baseUrl", capture, "model", "m", "apiKeyEnv", "PATH"),
                Map.<String, Object>of("type", "openai", "server", "fake", "model", "fake-coder", "apiKeyEnv", "PATH"),
                Map.<String, Object>of("type", "openai", "baseUrl", capture, "model", "m", "apiKeyFile", "/etc/hostname"))) {
            var reply = client.post("/v1/generation-runs", Map.of("taskSet", "secrets", "maxIterations", 1,
                    "source", source));
            assertThat(reply.status()).as(reply.raw()).isEqualTo(400);
            assertThat(reply.contentType()).startsWith("application/problem+json");
            String field = source.containsKey("apiKeyEnv") ? "source.apiKeyEnv" : "source.apiKeyFile";
            assertThat(reply.body().get("errors").toString()).contains(field);
        }
        assertThat(jdbc.sql("select count(*) from generation_runs where task_set = 'secrets'").query(Long.class).single())
                .isZero();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> seenUnder("/capture").isEmpty());
    }

    @Test
    void promptTemplatesAreNamesOrInlineTextNeverPaths() {
        GeneratorClient client = client();
        client.post("/v1/tasks", Map.of("set", "templates", "prompt", "x", "tests", List.of(Map.of("name", "t", "code", "pass"))));
        for (Map.Entry<String, String> bad : List.of(Map.entry("firstPromptTemplate", "/etc/passwd"),
                Map.entry("refinePromptTemplate", "../../../../etc/hostname"),
                Map.entry("firstPromptTemplate", "prompts/refine.txt"),
                Map.entry("refinePromptTemplate", "no-such-template"))) {
            var reply = client.post("/v1/generation-runs", Map.of("taskSet", "templates", "maxIterations", 1,
                    "source", Map.of("type", "openai", "server", "fake", "model", "fake-coder", bad.getKey(), bad.getValue())));
            assertThat(reply.status()).as(bad + ": " + reply.raw()).isEqualTo(400);
            assertThat(reply.contentType()).startsWith("application/problem+json");
            assertThat(reply.body().get("field").asString()).isEqualTo("source." + bad.getKey());
        }
        var named = client.post("/v1/generation-runs", Map.of("taskSet", "templates", "maxIterations", 1,
                "source", Map.of("type", "openai", "server", "fake", "model", "template-coder",
                        "firstPromptTemplate", "refine", "refinePrompt", "Fix it: {{code}}")));
        assertThat(named.status()).as(named.raw()).isEqualTo(202);
    }

    @Test
    void unknownServersAndModelsAreNamedFields() {
        GeneratorClient client = client();
        client.post("/v1/tasks", Map.of("set", "servers", "prompt", "x", "tests", List.of(Map.of("name", "t", "code", "pass"))));
        var unknown = client.post("/v1/generation-runs", Map.of("taskSet", "servers",
                "source", Map.of("type", "openai", "server", "elsewhere", "model", "fake-coder")));
        assertThat(unknown.status()).as(unknown.raw()).isEqualTo(400);
        assertThat(unknown.body().get("field").asString()).isEqualTo("source.server");
        var model = client.post("/v1/generation-runs", Map.of("taskSet", "servers",
                "source", Map.of("type", "openai", "server", "fake", "model", "gpt-secret")));
        assertThat(model.status()).as(model.raw()).isEqualTo(400);
        assertThat(model.body().get("field").asString()).isEqualTo("source.model");
        var none = client.post("/v1/generation-runs", Map.of("taskSet", "servers",
                "source", Map.of("type", "openai", "model", "fake-coder")));
        assertThat(none.status()).as(none.raw()).isEqualTo(400);
        assertThat(none.body().get("field").asString()).isEqualTo("source.server");
    }

    @Test
    void anInlineKeyGoesOnlyToAnAllowedBaseUrl() {
        GeneratorClient client = client();
        client.post("/v1/tasks", Map.of("set", "inline", "id", "add", "prompt", "Write add(a, b) returning the sum.",
                "entryPoint", "add", "tests", List.of(Map.of("name", "sum", "code", "assert add(2, 3) == 5"))));
        var refused = client.post("/v1/generation-runs", Map.of("taskSet", "inline", "maxIterations", 1,
                "source", Map.of("type", "openai", "baseUrl", root() + "/capture/v1", "apiKey", INLINE_KEY, "model", "m")));
        assertThat(refused.status()).as(refused.raw()).isEqualTo(400);
        assertThat(refused.body().get("field").asString()).isEqualTo("source.baseUrl");
        assertThat(refused.raw()).doesNotContain(INLINE_KEY);

        var run = client.post("/v1/generation-runs", Map.of("taskSet", "inline", "maxIterations", 3,
                "source", Map.of("type", "openai", "baseUrl", root() + "/open/v1", "apiKey", INLINE_KEY,
                        "model", "any-model")));
        assertThat(run.status()).as(run.raw()).isEqualTo(202);
        assertThat(run.raw()).doesNotContain(INLINE_KEY);
        String runId = run.body().get("id").asString();
        await().atMost(Duration.ofMinutes(1)).until(() ->
                client.get("/v1/generation-runs/" + runId).body().get("status").asString().equals("COMPLETED"));

        assertThat(seenUnder("/open/v1/chat/completions")).hasSize(2)
                .allMatch(s -> s.endsWith(" Bearer " + INLINE_KEY + " any-model"));
        assertThat(seenUnder("/capture")).isEmpty();
        var progress = client.get("/v1/generation-runs/" + runId);
        assertThat(progress.body().get("counts").get("passed").asInt()).as(progress.raw()).isEqualTo(1);
        assertThat(progress.raw()).doesNotContain(INLINE_KEY);
        var trajectories = client.get("/v1/trajectories?run=" + runId);
        assertThat(trajectories.raw()).doesNotContain(INLINE_KEY);
        assertThat(client.get("/v1/trajectories/" + trajectories.body().get("trajectories").get(0).get("id").asString())
                .raw()).doesNotContain(INLINE_KEY);
        for (String table : List.of("generation_runs", "trajectories", "iterations", "jobs", "pairs")) {
            assertThat(jdbc.sql("select count(*) from " + table + " t where t::text like ?")
                    .param("%" + INLINE_KEY + "%").query(Long.class).single()).as(table).isZero();
        }
        assertThat(jdbc.sql("select source::text from generation_runs where id = ?::uuid").param(runId)
                .query(String.class).single()).contains("inlineKeyRef").doesNotContain("apiKey\"");
    }
}

package org.iterpref.generator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.iterpref.generator.support.GeneratorClient;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.iterpref.generator.support.SharedTrainer;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The generator's {@code openai} source, unchanged, against the real trainer-service serving its
 * bundled tiny model: a whole trajectory (generate, execute, feed back, refine) runs end to end.
 * The tiny model writes gibberish, so the trajectory uses up its iterations and fails; what
 * matters is that every request was served and every answer was stored and executed.
 */
class OpenAiSourceTrainerIntegrationTest extends GeneratorIntegrationTest {

    private static final int MAX_ITERATIONS = 3;
    /**
     * The tiny model's context is 512 tokens and a refinement quotes the previous answer twice (the
     * code and the executor's feedback on it): short answers keep most prompts inside it, and the
     * source trims those that are not.
     */
    private static final int MAX_TOKENS = 32;
    private static final String SYSTEM_PROMPT = "You are a careful Python programmer.";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, OpenAiSourceTrainerIntegrationTest.class);
        // started here, before the generator's context: a trainer started lazily while the generator binds its
        // properties would be built under the generator's web server class loader
        String trainer = SharedTrainer.apiRoot();
        registry.add("iterpref.generator.model-servers.trainer.base-url", () -> trainer);
        registry.add("iterpref.generator.model-servers.trainer.models[0]", () -> SharedTrainer.MODEL);
    }

    @Test
    void trajectoryRunsAgainstTheServedTinyModel() throws Exception {
        GeneratorClient client = client();
        var imported = client.post("/v1/tasks", Map.of("set", "tiny", "id", "add",
                "prompt", "Write add(a, b) returning the sum.", "entryPoint", "add",
                "tests", List.of(Map.of("name", "sum", "code", "assert add(2, 3) == 5"))));
        assertThat(imported.status()).as(imported.raw()).isEqualTo(201);
        long servedBefore = SharedTrainer.chatCompletionsServed();

        var run = client.post("/v1/generation-runs", Map.of("taskSet", "tiny", "maxIterations", MAX_ITERATIONS,
                "seed", 7, "source", Map.of("type", "openai", "server", "trainer",
                        "model", SharedTrainer.MODEL, "temperature", 0.0, "topP", 1.0, "maxTokens", MAX_TOKENS,
                        "systemPrompt", SYSTEM_PROMPT, "maxRetries", 1, "timeoutMs", 120_000)));
        assertThat(run.status()).as(run.raw()).isEqualTo(202);
        String runId = run.body().get("id").asString();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() ->
                client.get("/v1/generation-runs/" + runId).body().get("status").asString().equals("COMPLETED"));

        JsonNode list = client.get("/v1/trajectories?run=" + runId).body().get("trajectories");
        assertThat(list).hasSize(1);
        JsonNode progress = client.get("/v1/generation-runs/" + runId).body();
        assertThat(progress.get("sourceType").asString()).isEqualTo("openai");
        assertThat(progress.get("model").asString()).isEqualTo(SharedTrainer.MODEL);
        assertThat(progress.get("synthetic").asBoolean()).isFalse();
        assertThat(progress.get("counts").get("total").asInt()).isEqualTo(1);
        // used up its iterations: not errored (the error, if any, is in the listing)
        assertThat(progress.get("counts").get("failed").asInt()).as(list.toString()).isEqualTo(1);
        assertThat(progress.get("iterations").asLong()).isEqualTo(MAX_ITERATIONS);

        JsonNode trajectory = client.get("/v1/trajectories/" + list.get(0).get("id").asString()).body();
        assertThat(trajectory.get("status").asString()).as(trajectory.toString()).isEqualTo("FAILED");
        assertThat(trajectory.get("synthetic").asBoolean()).isFalse();
        assertThat(trajectory.get("finalCode").isNull()).isTrue();
        JsonNode iterations = trajectory.get("iterations");
        assertThat(iterations).hasSize(MAX_ITERATIONS);
        for (int i = 0; i < MAX_ITERATIONS; i++) {
            JsonNode iteration = iterations.get(i);
            assertThat(iteration.get("number").asInt()).isEqualTo(i);
            assertThat(iteration.get("model").asString()).isEqualTo(SharedTrainer.MODEL);
            assertThat(iteration.get("rawOutput").asString()).as("iteration %d's raw completion", i).isNotEmpty();
            assertThat(iteration.get("code").isString()).isTrue();
            assertThat(iteration.get("promptTokens").asInt()).isPositive();
            assertThat(iteration.get("completionTokens").asInt()).isBetween(1, MAX_TOKENS);
            // the executor ran it: a syntax error or failing tests, never a pass, never a sandbox failure
            assertThat(iteration.get("verdict").asString()).isIn("FAILED", "ERROR");
            JsonNode execution = iteration.get("execution");
            assertThat(execution.get("verdict").asString()).isEqualTo(iteration.get("verdict").asString());
            assertThat(execution.get("total").asInt()).isEqualTo(1);
            assertThat(execution.get("passed").asInt()).isZero();
            assertThat(iteration.get("feedback").asString()).isNotBlank();
        }
        // each refinement was built from the previous answer's code and the executor's feedback on it
        assertThat(iterations.get(0).get("prompt").asString()).contains("Write add(a, b) returning the sum.")
                .doesNotContain("Your previous code");
        // (or, when the whole would not fit the tiny model's context, from what of them fits)
        for (int i = 1; i < MAX_ITERATIONS; i++) {
            JsonNode previous = iterations.get(i - 1);
            JsonNode iteration = iterations.get(i);
            if (iteration.get("trimmed").asBoolean()) {
                assertThat(iteration.get("prompt").asString()).contains("Write add(a, b) returning the sum.",
                        "too long for the model's context");
            } else {
                assertThat(iteration.get("prompt").asString()).contains("Write add(a, b) returning the sum.",
                        previous.get("code").asString().strip(), previous.get("feedback").asString().strip());
            }
            assertThat(iteration.get("promptTokens").asInt() + MAX_TOKENS).isLessThanOrEqualTo(512);
        }

        // the trainer served exactly these requests ...
        assertThat(SharedTrainer.chatCompletionsServed() - servedBefore).isEqualTo(MAX_ITERATIONS);
        // ... and greedy decoding is deterministic: the first attempt's messages give the stored answer
        // again (the generator stores U+0000, which PostgreSQL cannot hold, as U+FFFD; later prompts
        // quote earlier answers, so only the first one is exactly what was sent)
        JsonNode first = iterations.get(0);
        JsonNode direct = chat(first.get("prompt").asString());
        assertThat(direct.at("/choices/0/message/content").asString().replace((char) 0, '\uFFFD'))
                .isEqualTo(first.get("rawOutput").asString());
        assertThat(direct.at("/usage/prompt_tokens").asInt()).isEqualTo(first.get("promptTokens").asInt());
        assertThat(direct.at("/usage/completion_tokens").asInt()).isEqualTo(first.get("completionTokens").asInt());

        // a trajectory that never passed gives no preference pairs
        JsonNode pairs = client.get("/v1/pairs?run=" + runId).body();
        assertThat(pairs.get("pairs")).isEmpty();
        JsonNode stats = client.get("/v1/pairs/stats?run=" + runId).body();
        assertThat(stats.get("kept").asLong()).isZero();
        assertThat(stats.get("filtered").properties()).isEmpty();
    }

    /** {@code POST /v1/chat/completions} straight to the trainer with the messages the source sent. */
    private static JsonNode chat(String userMessage) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", SharedTrainer.MODEL);
        body.put("messages", List.of(Map.of("role", "system", "content", SYSTEM_PROMPT),
                Map.of("role", "user", "content", userMessage)));
        body.put("temperature", 0.0);
        body.put("max_tokens", MAX_TOKENS);
        HttpRequest request = HttpRequest.newBuilder(URI.create(SharedTrainer.apiRoot() + "/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}

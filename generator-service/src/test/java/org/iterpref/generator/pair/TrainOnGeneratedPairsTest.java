package org.iterpref.generator.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.iterpref.generator.support.ExampleTasks;
import org.iterpref.generator.support.GeneratorClient;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.iterpref.generator.support.SharedTrainer;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The platform's loop on CPU: the generator turns tasks into bug-injection trajectories and pairs,
 * a fine-tuning job on the trainer reads that run's pairs from the generator's feed and trains the
 * tiny model with focal DPO, and the checkpoints it wrote answer chat completions.
 */
class TrainOnGeneratedPairsTest extends GeneratorIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, TrainOnGeneratedPairsTest.class);
    }

    @Test
    void aJobOnTheFeedOfAGenerationRunTrainsTheModelWhoseCheckpointsAnswerChat() throws Exception {
        GeneratorClient generator = client();
        var imported = generator.post("/v1/tasks/import?format=jsonl&set=loop", "application/x-ndjson",
                ExampleTasks.first(8));
        assertThat(imported.status()).as(imported.raw()).isIn(200, 201);
        var run = generator.post("/v1/generation-runs", Map.of("taskSet", "loop", "source", Map.of("type",
                "bug-injection"), "maxIterations", 4, "seed", 3));
        assertThat(run.status()).as(run.raw()).isEqualTo(202);
        String runId = run.body().get("id").asString();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() ->
                generator.get("/v1/generation-runs/" + runId).body().get("status").asString().equals("COMPLETED"));
        int pairs = generator.get("/v1/pairs?run=" + runId + "&limit=500").body().get("pairs").size();
        assertThat(pairs).isPositive();

        String feed = "http://127.0.0.1:" + port + "/";
        try (ConfigurableApplicationContext trainer = SharedTrainer.startDedicated("--iterpref.trainer.threads=1",
                "--iterpref.trainer.fine-tuning.poll-interval-ms=100",
                "--iterpref.trainer.pair-feeds.allowed-urls[0]=" + feed)) {
            String api = SharedTrainer.baseUrl(trainer);
            JsonNode job = post(api + "/v1/fine_tuning/jobs", Map.of("model", SharedTrainer.MODEL, "suffix", "loop",
                    "seed", 1, "pairs", Map.of("feed", feed + "v1/pairs", "run", runId, "include_synthetic", true),
                    "method", Map.of("type", "dpo", "dpo", Map.of("hyperparameters", Map.of("n_epochs", 2,
                            "batch_size", 2, "learning_rate", 1e-3)))));
            String id = job.get("id").asString();
            JsonNode[] last = new JsonNode[1];
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
                last[0] = get(api + "/v1/fine_tuning/jobs/" + id);
                return List.of("succeeded", "failed", "cancelled").contains(last[0].get("status").asString());
            });
            assertThat(last[0].get("status").asString()).as(last[0].toString()).isEqualTo("succeeded");
            assertThat(last[0].get("pairs").get("training_pairs").asInt()).isEqualTo(pairs);
            assertThat(last[0].get("trained_tokens").asLong()).isPositive();
            String model = last[0].get("fine_tuned_model").asString();
            assertThat(model).startsWith("ft:tiny-qwen2:loop:");

            JsonNode metrics = get(api + "/v1/fine_tuning/jobs/" + id + "/metrics").get("data");
            assertThat(metrics.get(0).has("rewards/margins")).isTrue();
            JsonNode checkpoints = get(api + "/v1/fine_tuning/jobs/" + id + "/checkpoints").get("data");
            assertThat(checkpoints.size()).isGreaterThanOrEqualTo(2);
            for (String served : List.of(model, checkpoints.get(checkpoints.size() - 1)
                    .get("fine_tuned_model_checkpoint").asString())) {
                JsonNode reply = post(api + "/v1/chat/completions", Map.of("model", served, "max_tokens", 8,
                        "temperature", 0, "messages", List.of(Map.of("role", "user", "content", "Write add(a, b)."))));
                assertThat(reply.get("model").asString()).isEqualTo(served);
                assertThat(reply.get("choices").get(0).get("message").get("content").isString()).isTrue();
            }
        }
    }

    private JsonNode post(String url, Object body) throws Exception {
        HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        JSON.writeValueAsString(body))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        return JSON.readTree(reply.body());
    }

    private JsonNode get(String url) throws Exception {
        HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        return JSON.readTree(reply.body());
    }
}

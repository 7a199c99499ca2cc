package org.iterpref.trainer.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.iterpref.trainer.HttpApi;
import org.iterpref.trainer.TrainerApplication;
import org.iterpref.trainer.serving.LoadedModel;
import org.iterpref.trainer.serving.ModelRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A restart of the service on the same database and storage (as profile {@code local} keeps
 * them): jobs, files and fine-tuned models are still there, and a fine-tuned model or checkpoint
 * is loaded on the first request for it — making room by unloading an idle one when
 * {@code max-models} are loaded.
 */
class RestartTest {

    private static ConfigurableApplicationContext start(Path data, boolean withEngine, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("--server.port=0",
                "--iterpref.trainer.embedded-postgres.data-directory=" + data.resolve("postgres"),
                "--iterpref.trainer.storage=" + data.resolve("storage"),
                "--iterpref.trainer.fine-tuning.poll-interval-ms=100",
                "--management.metrics.tags.service=trainer-restart-test"));
        args.addAll(List.of(more));
        SpringApplicationBuilder builder = withEngine
                ? new SpringApplicationBuilder(TrainerApplication.class, FakeEngineConfiguration.class)
                : new SpringApplicationBuilder(TrainerApplication.class);
        return builder.run(args.toArray(String[]::new));
    }

    private static HttpApi api(ConfigurableApplicationContext context) {
        return new HttpApi(Integer.parseInt(context.getEnvironment().getProperty("local.server.port")));
    }

    private static String chat(HttpApi api, String model) throws Exception {
        HttpApi.Reply reply = api.post("/v1/chat/completions", Map.of("model", model, "max_tokens", 4,
                "temperature", 0, "messages", List.of(Map.of("role", "user", "content", "hello"))));
        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        return reply.body().at("/choices/0/message/content").asString();
    }

    @Test
    void givenAFinishedJob_whenTheServiceRestarts_thenItsModelsAreLoadedOnDemandWithinMaxModels() throws Exception {
        Path data = Files.createTempDirectory("iterpref-trainer-restart-");
        try {
            restartOn(data);
        } finally {
            try (java.util.stream.Stream<Path> files = Files.walk(data)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void restartOn(Path data) throws Exception {
        String id;
        String model;
        try (ConfigurableApplicationContext first = start(data, true)) {
            HttpApi api = api(first);
            String lines = FineTuningContext.trlLine(1) + "\n" + FineTuningContext.trlLine(2) + "\n";
            String file = api.upload("pairs.jsonl", lines.getBytes(StandardCharsets.UTF_8), "purpose", "fine-tune")
                    .body().get("id").asString();
            id = api.post("/v1/fine_tuning/jobs", Map.of("model", "tiny-qwen2", "training_file", file,
                    "method", FineTuningContext.dpo("n_epochs", 1, "batch_size", 1, "checkpoint_every", 1)))
                    .body().get("id").asString();
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    api.get("/v1/fine_tuning/jobs/" + id).body().get("status").asString().equals("succeeded"));
            model = api.get("/v1/fine_tuning/jobs/" + id).body().get("fine_tuned_model").asString();
        }

        try (ConfigurableApplicationContext second = start(data, false, "--iterpref.trainer.max-models=2")) {
            HttpApi api = api(second);
            ModelRegistry registry = second.getBean(ModelRegistry.class);
            assertThat(api.get("/v1/fine_tuning/jobs/" + id).body().get("status").asString()).isEqualTo("succeeded");
            assertThat(registry.all()).extracting(LoadedModel::name).containsExactly("tiny-qwen2");
            String base = chat(api, "tiny-qwen2");

            assertThat(chat(api, model)).isEqualTo(base);
            assertThat(chat(api, model + ":ckpt-step-1")).isEqualTo(base);
            assertThat(registry.all()).extracting(LoadedModel::name)
                    .containsExactly("tiny-qwen2", model + ":ckpt-step-1");
            assertThat(chat(api, model + ":ckpt-step-2")).isEqualTo(base);
            assertThat(registry.all()).hasSize(2).extracting(LoadedModel::name).contains("tiny-qwen2");
            assertThat(api.post("/v1/chat/completions", Map.of("model", model + ":ckpt-step-9",
                    "messages", List.of(Map.of("role", "user", "content", "hi")))).status()).isEqualTo(404);
            assertThat(api.get("/v1/fine_tuning/jobs/" + id + "/checkpoints").body().get("data")).hasSize(2);
        }
    }
}

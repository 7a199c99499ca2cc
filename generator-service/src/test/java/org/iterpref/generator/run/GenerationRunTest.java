package org.iterpref.generator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.iterpref.generator.support.ExampleTasks;
import org.iterpref.generator.support.GeneratorClient;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** A bug-injection run over bundled tasks, end to end: real PostgreSQL, the real executor. */
class GenerationRunTest extends GeneratorIntegrationTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, GenerationRunTest.class);
    }

    JsonNode startRun(GeneratorClient client, String set, int samples) {
        var imported = client.post("/v1/tasks/import?format=jsonl&set=" + set, "application/x-ndjson",
                ExampleTasks.first(6));
        assertThat(imported.body().get("valid").asInt()).as(imported.raw()).isEqualTo(6);
        var run = client.post("/v1/generation-runs", Map.of("taskSet", set, "source", Map.of("type", "bug-injection"),
                "maxIterations", 5, "samplesPerTask", samples, "seed", 7));
        assertThat(run.status()).as(run.raw()).isEqualTo(202);
        return run.body();
    }

    JsonNode awaitEnd(GeneratorClient client, String runId) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() ->
                client.get("/v1/generation-runs/" + runId).body().get("status").asString().equals("COMPLETED"));
        return client.get("/v1/generation-runs/" + runId).body();
    }

    @Test
    void bugInjectionRunProducesSyntheticTrajectoriesThatEndPassing() {
        GeneratorClient client = client();
        JsonNode run = startRun(client, "gen-a", 2);
        String runId = run.get("id").asString();
        assertThat(run.get("synthetic").asBoolean()).isTrue();
        assertThat(run.get("counts").get("total").asInt()).isEqualTo(12);

        JsonNode done = awaitEnd(client, runId);
        assertThat(done.get("counts").get("passed").asInt()).isEqualTo(12);

        JsonNode list = client.get("/v1/trajectories?run=" + runId + "&status=passed").body().get("trajectories");
        assertThat(list).hasSize(12);
        JsonNode trajectory = client.get("/v1/trajectories/" + list.get(0).get("id").asString()).body();
        assertThat(trajectory.get("synthetic").asBoolean()).isTrue();
        JsonNode iterations = trajectory.get("iterations");
        assertThat(iterations.size()).isBetween(2, 4);
        List<String> verdicts = new ArrayList<>();
        for (int i = 0; i < iterations.size(); i++) {
            assertThat(iterations.get(i).get("number").asInt()).isEqualTo(i);
            assertThat(iterations.get(i).get("model").asString()).isEqualTo("bug-injection");
            verdicts.add(iterations.get(i).get("verdict").asString());
        }
        assertThat(verdicts.get(0)).isNotEqualTo("PASSED");
        assertThat(verdicts.get(verdicts.size() - 1)).isEqualTo("PASSED");
        assertThat(iterations.get(0).get("feedback").asString()).contains("tests passed");
        assertThat(iterations.get(1).get("prompt").asString()).containsIgnoringCase("synthetic");
    }

    @Test
    void tasksUsedByTrajectoriesCannotBeDeletedAndMetricsCountIterations() {
        GeneratorClient client = client();
        String runId = startRun(client, "gen-del", 1).get("id").asString();
        awaitEnd(client, runId);
        String taskId = client.get("/v1/tasks?set=gen-del").body().get("tasks").get(0).get("id").asString();
        var refused = client.delete("/v1/tasks/" + taskId);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(client.get("/v1/tasks/" + taskId).status()).isEqualTo(200);
        var unused = client.post("/v1/tasks", Map.of("set", "gen-del", "prompt", "x",
                "tests", List.of(Map.of("name", "t", "code", "pass"))));
        assertThat(client.delete("/v1/tasks/" + unused.body().get("id").asString()).status()).isEqualTo(204);
        assertThat(client.get("/actuator/prometheus").raw()).contains("iterpref_generator_iterations_total{",
                "source=\"bug-injection\"", "iterpref_generator_execution_duration_seconds");
    }

    @Test
    void sseStreamReportsProgressUntilTheEnd() {
        GeneratorClient client = client();
        String runId = startRun(client, "gen-sse", 1).get("id").asString();
        var events = client.get("/v1/generation-runs/" + runId + "/events");
        assertThat(events.contentType()).startsWith("text/event-stream");
        assertThat(events.raw()).contains("event:progress", "event:end", "\"status\":\"COMPLETED\"");
    }

    @Test
    void cancelStopsQueuedTrajectories() {
        GeneratorClient client = client();
        String runId = startRun(client, "gen-cancel", 20).get("id").asString();
        JsonNode cancelled = client.post("/v1/generation-runs/" + runId + "/cancel", Map.of()).body();
        assertThat(cancelled.get("status").asString()).isEqualTo("CANCELLED");
        await().atMost(Duration.ofMinutes(1)).until(() -> client.get("/v1/generation-runs/" + runId).body()
                .get("counts").get("running").asInt() == 0);
        JsonNode counts = client.get("/v1/generation-runs/" + runId).body().get("counts");
        assertThat(counts.get("cancelled").asInt()).isPositive();
        assertThat(counts.get("queued").asInt()).isZero();
    }

    @Test
    void badRunRequestsNameTheField() {
        GeneratorClient client = client();
        var noSet = client.post("/v1/generation-runs", Map.of("taskSet", "nope", "source", Map.of("type", "bug-injection")));
        assertThat(noSet.status()).isEqualTo(400);
        assertThat(noSet.body().get("field").asString()).isEqualTo("taskSet");
        var badSource = client.post("/v1/generation-runs", Map.of("taskSet", "nope", "source", Map.of("type", "magic")));
        assertThat(badSource.body().get("errors").toString()).contains("source.type");
        var badIterations = client.post("/v1/generation-runs", Map.of("taskSet", "nope",
                "source", Map.of("type", "bug-injection"), "maxIterations", 0));
        assertThat(badIterations.body().get("errors").toString()).contains("maxIterations");
        assertThat(client.get("/v1/generation-runs/" + java.util.UUID.randomUUID()).status()).isEqualTo(404);
    }
}

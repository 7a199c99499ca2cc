package org.iterpref.generator.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.iterpref.generator.support.ExampleTasks;
import org.iterpref.generator.support.GeneratorClient;
import org.iterpref.generator.support.GeneratorInstances;
import org.iterpref.generator.support.SharedExecutor;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Evaluations across instance failures: one interrupted by its instance dying (leases left to
 * expire) finishes on another with the same result as an undisturbed one, every sample stored
 * exactly once; one whose model server never answers ends ERRORED with that reason, and its gate
 * fails, instead of hanging.
 */
class EvaluationRestartTest {

    static final int TASKS = 6;
    static final int SAMPLES = 3;

    static String start(GeneratorClient client, Map<String, Object> request) {
        var reply = client.post("/v1/evaluations", request);
        assertThat(reply.status()).as(reply.raw()).isEqualTo(202);
        return reply.body().get("id").asString();
    }

    static JsonNode finished(GeneratorClient client, String id) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).until(() ->
                List.of("COMPLETED", "ERRORED", "CANCELLED").contains(
                        client.get("/v1/evaluations/" + id).body().get("status").asString()));
        return client.get("/v1/evaluations/" + id).body();
    }

    static Map<String, Object> mutants() {
        return Map.of("taskSet", "eval-restart", "source", Map.of("type", "bug-injection"), "samples", SAMPLES,
                "k", List.of(1, 3), "seed", 9, "gate", Map.of("metric", "pass@1", "min", 0.0));
    }

    /** Each stored sample's code, in (task, sample) order. */
    static List<String> samples(JdbcClient jdbc, String evaluationId) {
        return jdbc.sql("""
                select i.code from evaluations e join trajectories t on t.run_id = e.run_id
                join iterations i on i.trajectory_id = t.id
                where e.id = ?::uuid order by t.task_id, t.sample, i.number""")
                .param(evaluationId).query(String.class).list();
    }

    @Test
    void anEvaluationInterruptedByItsInstanceDyingFinishesWithTheUndisturbedResult() {
        String interrupted;
        try (ConfigurableApplicationContext doomed = GeneratorInstances.start("EvalRestart", SharedExecutor.baseUrl(),
                "--iterpref.generator.release-jobs-on-stop=false")) {
            GeneratorClient client = GeneratorInstances.client(doomed);
            var imported = client.post("/v1/tasks/import?format=jsonl&set=eval-restart", "application/x-ndjson",
                    ExampleTasks.first(TASKS));
            assertThat(imported.body().get("valid").asInt()).as(imported.raw()).isEqualTo(TASKS);
            interrupted = start(client, mutants());
            String id = interrupted;
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() ->
                    client.get("/v1/evaluations/" + id).body().get("progress").get("failed").asInt() >= 4);
            assertThat(client.get("/v1/evaluations/" + id).body().get("status").asString()).isNotEqualTo("COMPLETED");
        }
        try (ConfigurableApplicationContext survivor = GeneratorInstances.start("EvalRestart", SharedExecutor.baseUrl())) {
            GeneratorClient client = GeneratorInstances.client(survivor);
            JsonNode resumed = finished(client, interrupted);
            JsonNode undisturbed = finished(client, start(client, mutants()));
            assertThat(resumed.get("status").asString()).as(resumed.toString()).isEqualTo("COMPLETED");
            assertThat(resumed.get("progress").get("total").asInt()).isEqualTo(TASKS * SAMPLES);
            assertThat(resumed.get("passAtK")).isEqualTo(undisturbed.get("passAtK"));
            assertThat(resumed.get("gate").get("verdict").asString()).isEqualTo("PASSED");
            for (int i = 0; i < TASKS; i++) {
                JsonNode a = resumed.get("tasks").get(i);
                JsonNode b = undisturbed.get("tasks").get(i);
                assertThat(a.get("taskId")).isEqualTo(b.get("taskId"));
                assertThat(a.get("n").asInt()).isEqualTo(SAMPLES);
                assertThat(a.get("c")).isEqualTo(b.get("c"));
            }
            JdbcClient jdbc = survivor.getBean(JdbcClient.class);
            List<String> resumedSamples = samples(jdbc, interrupted);
            assertThat(resumedSamples).as("one stored attempt per sample").hasSize(TASKS * SAMPLES);
            assertThat(resumedSamples).isEqualTo(samples(jdbc, undisturbed.get("id").asString()));
        }
    }

    @Test
    void anEvaluationWhoseModelServerNeverAnswersEndsErroredWithTheReason() {
        try (ConfigurableApplicationContext instance = GeneratorInstances.start("EvalOutage", SharedExecutor.baseUrl(),
                "--iterpref.generator.max-job-attempts=2", "--iterpref.generator.retry-backoff-ms=100")) {
            GeneratorClient client = GeneratorInstances.client(instance);
            client.post("/v1/tasks/import?format=jsonl&set=eval-outage", "application/x-ndjson", ExampleTasks.first(2));
            String id = start(client, Map.of("taskSet", "eval-outage", "source", Map.of("type", "openai", "server",
                    "down", "model", "nowhere", "maxRetries", 0, "timeoutMs", 1000), "samples", 2, "k", List.of(1),
                    "gate", Map.of("metric", "pass@1", "min", 0.0)));
            JsonNode e = finished(client, id);
            assertThat(e.get("status").asString()).as(e.toString()).isEqualTo("ERRORED");
            assertThat(e.get("error").asString()).contains("4 sample(s) errored").contains("127.0.0.1:9");
            assertThat(e.get("passAtK").get("pass@1").isNull()).isTrue();
            assertThat(e.get("gate").get("verdict").asString()).isEqualTo("FAILED");
            assertThat(e.get("gate").get("reason").asString()).contains("ERRORED");
        }
    }
}

package org.iterpref.generator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.iterpref.generator.support.ExampleTasks;
import org.iterpref.generator.support.GeneratorClient;
import org.iterpref.generator.support.GeneratorInstances;
import org.iterpref.generator.support.SharedExecutor;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Whole generator instances started and stopped against one real PostgreSQL database: a run
 * survives its instance stopping (gracefully, or dying and leaving its leases to expire), and an
 * unreachable executor or model server leaves jobs queued for retry instead of losing them.
 */
class RestartAndOutageTest {

    static ConfigurableApplicationContext start(String database, String executorUrl, String... extra) {
        return GeneratorInstances.start(database, executorUrl, extra);
    }

    static GeneratorClient client(ConfigurableApplicationContext context) {
        return GeneratorInstances.client(context);
    }

    static String importAndRun(GeneratorClient client, String set, int tasks, int samples) {
        var imported = client.post("/v1/tasks/import?format=jsonl&set=" + set, "application/x-ndjson",
                ExampleTasks.first(tasks));
        assertThat(imported.body().get("valid").asInt()).as(imported.raw()).isEqualTo(tasks);
        return startRun(client, set, samples, Map.of("type", "bug-injection"));
    }

    static String startRun(GeneratorClient client, String set, int samples, Map<String, Object> source) {
        var run = client.post("/v1/generation-runs", Map.of("taskSet", set, "source", source, "maxIterations", 5,
                "samplesPerTask", samples, "seed", 3));
        assertThat(run.status()).as(run.raw()).isEqualTo(202);
        return run.body().get("id").asString();
    }

    static long iterations(GeneratorClient client, String runId) {
        return client.get("/v1/generation-runs/" + runId).body().get("iterations").asLong();
    }

    /** Every trajectory ended PASSED, and its iterations are numbered 0..n-1 with none missing or repeated. */
    static void assertCompleteAndExactlyOnce(ConfigurableApplicationContext context, String runId, int trajectories) {
        GeneratorClient client = client(context);
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(250)).until(() ->
                client.get("/v1/generation-runs/" + runId).body().get("status").asString().equals("COMPLETED"));
        JsonNode counts = client.get("/v1/generation-runs/" + runId).body().get("counts");
        assertThat(counts.get("passed").asInt()).as(counts.toString()).isEqualTo(trajectories);
        assertThat(trajectoriesWithGaps(context.getBean(JdbcClient.class), runId))
                .as("trajectories with missing or repeated iterations").isEmpty();
    }

    /** The run's trajectories whose stored iterations are not exactly 0..n-1 for the n they record. */
    static List<String> trajectoriesWithGaps(JdbcClient jdbc, String runId) {
        return jdbc.sql("""
                select t.id::text from trajectories t
                where t.run_id = ?::uuid and (t.iterations <> (select count(*) from iterations i where i.trajectory_id = t.id)
                   or t.iterations - 1 <> (select coalesce(max(number), -1) from iterations i where i.trajectory_id = t.id))""")
                .param(runId).query(String.class).list();
    }

    @Test
    void stoppingMidRunAndStartingAgainCompletesEveryTrajectoryExactlyOnce() {
        String runId;
        try (ConfigurableApplicationContext first = start("RestartGraceful", SharedExecutor.baseUrl())) {
            runId = importAndRun(client(first), "restart", 10, 3);
            await().atMost(Duration.ofMinutes(2)).until(() -> iterations(client(first), runId) >= 8);
        }
        try (ConfigurableApplicationContext second = start("RestartGraceful", SharedExecutor.baseUrl())) {
            assertThat(client(second).get("/v1/generation-runs/" + runId).body().get("status").asString())
                    .isNotEqualTo("COMPLETED");
            assertCompleteAndExactlyOnce(second, runId, 30);
        }
    }

    @Test
    void jobsOfAnInstanceThatDiesAreResumedByAnotherAfterTheirLeaseExpires() {
        String runId;
        try (ConfigurableApplicationContext doomed = start("RestartCrash", SharedExecutor.baseUrl(),
                "--iterpref.generator.release-jobs-on-stop=false")) {
            runId = importAndRun(client(doomed), "crash", 10, 3);
            await().atMost(Duration.ofMinutes(2)).until(() -> iterations(client(doomed), runId) >= 8);
        }
        try (ConfigurableApplicationContext survivor = start("RestartCrash", SharedExecutor.baseUrl())) {
            assertCompleteAndExactlyOnce(survivor, runId, 30);
        }
    }

    @Test
    void unreachableExecutorOrModelServerLeavesJobsQueuedForRetry() {
        String set = "outage";
        String bugRun;
        String modelRun;
        try (ConfigurableApplicationContext healthy = start("Outage", SharedExecutor.baseUrl(), "--iterpref.generator.workers=0")) {
            GeneratorClient client = client(healthy);
            client.post("/v1/tasks/import?format=jsonl&set=" + set, "application/x-ndjson", ExampleTasks.first(2));
            bugRun = startRun(client, set, 1, Map.of("type", "bug-injection"));
            modelRun = startRun(client, set, 1, Map.of("type", "openai", "server", "down",
                    "model", "nowhere", "maxRetries", 0, "timeoutMs", 1000));
        }
        try (ConfigurableApplicationContext cutOff = start("Outage", "http://127.0.0.1:9",
                "--iterpref.generator.max-job-attempts=100", "--iterpref.generator.retry-backoff-ms=100")) {
            JdbcClient jdbc = cutOff.getBean(JdbcClient.class);
            await().atMost(Duration.ofMinutes(1)).until(() -> jdbc.sql(
                    "select count(*) from jobs where attempts >= 2 and status in ('READY', 'CLAIMED')")
                    .query(Long.class).single() == 4);
            List<String> errors = jdbc.sql("select last_error from jobs where last_error is not null")
                    .query(String.class).list();
            assertThat(errors).anyMatch(e -> e.contains("executor unreachable"))
                    .anyMatch(e -> e.contains("nowhere") || e.contains("127.0.0.1:9"));
            assertThat(jdbc.sql("select count(*) from iterations").query(Long.class).single()).isZero();
            assertThat(jdbc.sql("select count(*) from trajectories where status in ('ERRORED', 'FAILED')")
                    .query(Long.class).single()).isZero();
        }
        try (ConfigurableApplicationContext recovered = start("Outage", SharedExecutor.baseUrl())) {
            assertCompleteAndExactlyOnce(recovered, bugRun, 2);
            GeneratorClient client = client(recovered);
            assertThat(Stream.of("QUEUED", "RUNNING").anyMatch(s ->
                    client.get("/v1/generation-runs/" + modelRun).body().get("status").asString().equals(s))).isTrue();
        }
    }
}

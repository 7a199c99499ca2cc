package org.iterpref.generator.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/** A small bug-injection run carried to its end, for tests that start from a finished trajectory. */
public final class CompletedRuns {

    private CompletedRuns() {
    }

    /** Imports the first example task into {@code set}, runs one sample to COMPLETED, returns its trajectory. */
    public static UUID oneBugInjectionTrajectory(GeneratorClient client, JdbcClient jdbc, String set, long seed) {
        var imported = client.post("/v1/tasks/import?format=jsonl&set=" + set, "application/x-ndjson",
                ExampleTasks.first(1));
        assertThat(imported.body().get("valid").asInt()).as(imported.raw()).isEqualTo(1);
        var run = client.post("/v1/generation-runs", Map.of("taskSet", set, "source", Map.of("type", "bug-injection"),
                "maxIterations", 5, "samplesPerTask", 1, "seed", seed));
        assertThat(run.status()).as(run.raw()).isEqualTo(202);
        String runId = run.body().get("id").asString();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() ->
                client.get("/v1/generation-runs/" + runId).body().get("status").asString().equals("COMPLETED"));
        return jdbc.sql("select id from trajectories where run_id = ?::uuid").param(runId).query(UUID.class).single();
    }
}

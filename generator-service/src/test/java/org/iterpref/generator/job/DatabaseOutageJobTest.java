package org.iterpref.generator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.iterpref.generator.executor.TestRunner;
import org.iterpref.generator.pair.PairBuilder;
import org.iterpref.generator.run.RunRepository;
import org.iterpref.generator.source.CodeSources;
import org.iterpref.generator.support.ExampleTasks;
import org.iterpref.generator.support.GeneratorClient;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.iterpref.generator.task.TaskRepository;
import org.iterpref.generator.trajectory.TrajectoryEngine;
import org.iterpref.generator.trajectory.TrajectoryRepository;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A database restart mid-run (a connection that cannot be had: Hikari timed out; a connection lost
 * mid-statement) ends no trajectory ERRORED and uses up none of its attempts, even with a single
 * attempt allowed: every trajectory is retried and completes, each iteration stored exactly once.
 */
class DatabaseOutageJobTest extends GeneratorIntegrationTest {

    private static final int TASKS = 3;
    private static final int SAMPLES = 2;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, DatabaseOutageJobTest.class);
        registry.add("iterpref.generator.max-job-attempts", () -> 1);
        registry.add("iterpref.generator.retry-backoff-ms", () -> 100);
    }

    @Autowired
    JdbcClient jdbc;

    @Test
    void aDatabaseOutageInTheMiddleOfATrajectoryIsRetriedNotErrored() {
        GeneratorClient client = client();
        var imported = client.post("/v1/tasks/import?format=jsonl&set=dbdown", "application/x-ndjson",
                ExampleTasks.first(TASKS));
        assertThat(imported.body().get("valid").asInt()).as(imported.raw()).isEqualTo(TASKS);
        var run = client.post("/v1/generation-runs", Map.of("taskSet", "dbdown", "source",
                Map.of("type", "bug-injection"), "maxIterations", 5, "samplesPerTask", SAMPLES, "seed", 11));
        assertThat(run.status()).as(run.raw()).isEqualTo(202);
        String runId = run.body().get("id").asString();

        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() ->
                client.get("/v1/generation-runs/" + runId).body().get("status").asString().equals("COMPLETED"));

        var counts = client.get("/v1/generation-runs/" + runId).body().get("counts");
        assertThat(counts.get("errored").asInt()).as(counts.toString()).isZero();
        assertThat(counts.get("passed").asInt()).as(counts.toString()).isEqualTo(TASKS * SAMPLES);
        assertThat(jdbc.sql("select count(*) from jobs where run_id = ?::uuid and status = 'DONE' and attempts = 1")
                .param(runId).query(Long.class).single()).as("jobs that used up one attempt only")
                .isEqualTo(TASKS * SAMPLES);
        assertThat(jdbc.sql("select count(*) from jobs where run_id = ?::uuid and last_error like 'database unavailable%'")
                .param(runId).query(Long.class).single()).isEqualTo(TASKS * SAMPLES);
        assertThat(RestartAndOutageTest.trajectoriesWithGaps(jdbc, runId))
                .as("trajectories with missing or repeated iterations").isEmpty();
    }

    /** The first two attempts of every trajectory meet a database that is restarting. */
    @TestConfiguration
    static class RestartingDatabase {

        @Bean
        @Primary
        TrajectoryEngine restartingDatabaseEngine(TrajectoryRepository trajectories, RunRepository runs,
                                                  TaskRepository tasks, CodeSources sources, TestRunner executor,
                                                  MeterRegistry metrics, PairBuilder pairs) {
            return new TrajectoryEngine(trajectories, runs, tasks, sources, executor, metrics, pairs) {
                private final Map<UUID, Integer> calls = new ConcurrentHashMap<>();

                @Override
                public Outcome advance(UUID trajectoryId, String owner) {
                    int call = calls.merge(trajectoryId, 1, Integer::sum);
                    if (call == 1) {
                        throw new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection",
                                new SQLTransientConnectionException(
                                        "HikariPool-1 - Connection is not available, request timed out after 250ms."));
                    }
                    if (call == 2) {
                        throw new RecoverableDataAccessException("An I/O error occurred while sending to the backend.");
                    }
                    return super.advance(trajectoryId, owner);
                }
            };
        }
    }
}

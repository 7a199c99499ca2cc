package org.iterpref.generator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.iterpref.generator.support.ExampleTasks;
import org.iterpref.generator.support.GeneratorClient;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.iterpref.generator.trajectory.TrajectoryEngine;
import org.iterpref.generator.trajectory.TrajectoryRepository;
import org.iterpref.generator.trajectory.TrajectoryStatus;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A worker whose lease expired and whose job another instance took over writes nothing more: not
 * the trajectory's end, not its pairs, not an ERRORED status. Only the lease holder does.
 */
class LeaseGuardTest extends GeneratorIntegrationTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, LeaseGuardTest.class);
    }

    @Autowired
    TrajectoryEngine engine;
    @Autowired
    TrajectoryRepository trajectories;
    @Autowired
    JdbcClient jdbc;

    @Test
    void aWorkerThatLostItsLeaseWritesNothingAndStops() {
        GeneratorClient client = client();
        var imported = client.post("/v1/tasks/import?format=jsonl&set=lease", "application/x-ndjson", ExampleTasks.first(1));
        assertThat(imported.body().get("valid").asInt()).as(imported.raw()).isEqualTo(1);
        var run = client.post("/v1/generation-runs", Map.of("taskSet", "lease", "source", Map.of("type", "bug-injection"),
                "maxIterations", 5, "samplesPerTask", 1, "seed", 7));
        assertThat(run.status()).as(run.raw()).isEqualTo(202);
        String runId = run.body().get("id").asString();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() ->
                client.get("/v1/generation-runs/" + runId).body().get("status").asString().equals("COMPLETED"));
        UUID trajectory = jdbc.sql("select id from trajectories where run_id = ?::uuid").param(runId)
                .query(UUID.class).single();
        long pairsBefore = pairs(trajectory);

        // the stale worker's lease expired and another instance holds the job now; the trajectory's
        // end is undone, as if the stale worker were about to write it
        jdbc.sql("""
                update jobs set status = 'CLAIMED', lease_owner = 'new-owner', lease_until = now() + interval '1 hour'
                where trajectory_id = ?""").param(trajectory).update();
        jdbc.sql("delete from pairs where trajectory_id = ?").param(trajectory).update();
        jdbc.sql("update trajectories set status = 'RUNNING', final_code = null where id = ?").param(trajectory).update();

        assertThat(engine.advance(trajectory, "stale-owner")).isEqualTo(TrajectoryEngine.Outcome.LEASE_LOST);
        assertThat(status(trajectory)).isEqualTo("RUNNING");
        assertThat(pairs(trajectory)).isZero();
        assertThat(trajectories.finish(trajectory, TrajectoryStatus.ERRORED, null, "stale", "stale-owner")).isFalse();
        assertThat(status(trajectory)).isEqualTo("RUNNING");

        assertThat(engine.advance(trajectory, "new-owner")).isEqualTo(TrajectoryEngine.Outcome.ENDED);
        assertThat(status(trajectory)).isEqualTo("PASSED");
        assertThat(pairs(trajectory)).isEqualTo(pairsBefore);
    }

    private String status(UUID trajectory) {
        return jdbc.sql("select status from trajectories where id = ?").param(trajectory).query(String.class).single();
    }

    private long pairs(UUID trajectory) {
        return jdbc.sql("select count(*) from pairs where trajectory_id = ?").param(trajectory).query(Long.class).single();
    }
}

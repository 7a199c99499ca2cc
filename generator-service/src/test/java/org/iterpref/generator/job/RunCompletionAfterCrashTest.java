package org.iterpref.generator.job;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;
import org.iterpref.generator.support.CompletedRuns;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A worker marks its job DONE and then, in a statement of its own, the run COMPLETED when no job is
 * left. An instance that dies between the two leaves every job done and the run RUNNING, with no
 * job left whose end would complete it: a worker must still complete it.
 */
class RunCompletionAfterCrashTest extends GeneratorIntegrationTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, RunCompletionAfterCrashTest.class);
    }

    @Autowired
    JdbcClient jdbc;

    @Test
    void aRunWhoseLastJobEndedWithoutCompletingTheRunIsCompletedByAWorker() {
        UUID trajectory = CompletedRuns.oneBugInjectionTrajectory(client(), jdbc, "completion", 11);
        UUID run = jdbc.sql("select run_id from trajectories where id = ?").param(trajectory).query(UUID.class).single();

        // the state an instance leaves when SIGKILL ends it after its last job's DONE, before the run's COMPLETED
        jdbc.sql("update generation_runs set status = 'RUNNING', finished_at = null where id = ?").param(run).update();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> jdbc.sql(
                "select status from generation_runs where id = ? and finished_at is not null")
                .param(run).query(String.class).optional().filter("COMPLETED"::equals).isPresent());
    }
}

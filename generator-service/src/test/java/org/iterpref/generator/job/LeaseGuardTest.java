package org.iterpref.generator.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.iterpref.generator.support.CompletedRuns;
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
        UUID trajectory = CompletedRuns.oneBugInjectionTrajectory(client(), jdbc, "lease", 7);
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

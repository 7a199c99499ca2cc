package org.iterpref.generator.job;

import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The durable job queue in PostgreSQL: one job per trajectory. Any number of instances claim
 * jobs with {@code FOR UPDATE SKIP LOCKED} under a lease they renew by heartbeat; a job whose
 * lease expired (its instance died) is claimable again.
 */
@Repository
public class JobQueue {

    private final JdbcClient jdbc;

    public JobQueue(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A claimed job: its trajectory, run, and how many times it has been claimed (this one included). */
    public record Claim(UUID trajectoryId, UUID runId, int attempts) {
    }

    public List<Claim> claim(String owner, int limit, int leaseSeconds) {
        if (limit <= 0) {
            return List.of();
        }
        return jdbc.sql("""
                update jobs set status = 'CLAIMED', lease_owner = ?, lease_until = now() + make_interval(secs => ?),
                                attempts = attempts + 1, updated_at = now()
                where trajectory_id in (
                    select trajectory_id from jobs
                    where (status = 'READY' and not_before <= now()) or (status = 'CLAIMED' and lease_until < now())
                    order by not_before, trajectory_id
                    limit ?
                    for update skip locked)
                returning trajectory_id, run_id, attempts""")
                .params(owner, leaseSeconds, limit)
                .query((rs, n) -> new Claim(rs.getObject("trajectory_id", UUID.class), rs.getObject("run_id", UUID.class),
                        rs.getInt("attempts")))
                .list();
    }

    /** Renews the leases this owner holds; returns how many it still holds. */
    public int heartbeat(String owner, List<UUID> trajectoryIds, int leaseSeconds) {
        if (trajectoryIds.isEmpty()) {
            return 0;
        }
        return jdbc.sql("""
                update jobs set lease_until = now() + make_interval(secs => ?), updated_at = now()
                where lease_owner = ? and status = 'CLAIMED' and trajectory_id = any (?)""")
                .params(leaseSeconds, owner, trajectoryIds.toArray(UUID[]::new)).update();
    }

    public void complete(UUID trajectoryId, String owner) {
        jdbc.sql("update jobs set status = 'DONE', lease_owner = null, lease_until = null, updated_at = now() "
                + "where trajectory_id = ? and lease_owner = ?").params(trajectoryId, owner).update();
    }

    /** Gives the job back to be tried again after {@code delayMs}, remembering why. */
    public void retryLater(UUID trajectoryId, String owner, String error, long delayMs) {
        jdbc.sql("""
                update jobs set status = 'READY', lease_owner = null, lease_until = null, last_error = ?,
                                not_before = now() + make_interval(secs => ?), updated_at = now()
                where trajectory_id = ? and lease_owner = ?""")
                .params(error, delayMs / 1000.0, trajectoryId, owner).update();
    }

    /** Gives the job back like {@link #retryLater}, but without using up the attempt this claim took. */
    public void retryLaterUncounted(UUID trajectoryId, String owner, String error, long delayMs) {
        jdbc.sql("""
                update jobs set status = 'READY', lease_owner = null, lease_until = null, last_error = ?,
                                attempts = greatest(attempts - 1, 0),
                                not_before = now() + make_interval(secs => ?), updated_at = now()
                where trajectory_id = ? and lease_owner = ?""")
                .params(error, delayMs / 1000.0, trajectoryId, owner).update();
    }

    /** Gives every job this owner holds back at once (a graceful shutdown). */
    public int releaseAll(String owner) {
        return jdbc.sql("""
                update jobs set status = 'READY', lease_owner = null, lease_until = null, attempts = greatest(attempts - 1, 0),
                                updated_at = now()
                where lease_owner = ? and status = 'CLAIMED'""").param(owner).update();
    }
}

package org.iterpref.trainer.finetune;

import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The durable job queue in {@code fine_tuning_jobs}. A worker claims the oldest queued job (or a
 * running one whose lease expired: its instance died) with {@code FOR UPDATE SKIP LOCKED}, so two
 * workers never take the same job; it renews its lease by heartbeat, and every write it makes for
 * the job is guarded by {@code lease_owner}, so a worker that lost its lease changes nothing. Jobs
 * created from a pair feed pass through {@code validating_files} the same way, claimed by the
 * feed stage under a lease of their own.
 */
@Repository
public class JobQueue {

    private final JdbcClient jdbc;

    public JobQueue(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A claimed job, and how many times it has been claimed (this one included). */
    public record Claim(String jobId, int attempts, boolean cancelRequested) {
    }

    /** Claims the next job to train, or nothing. */
    public Optional<Claim> claimTraining(String owner, int leaseSeconds) {
        return jdbc.sql("""
                update fine_tuning_jobs set status = 'running', lease_owner = ?,
                       lease_until = now() + make_interval(secs => ?), attempts = attempts + 1,
                       started_at = coalesce(started_at, now()), updated_at = now()
                where id = (
                    select id from fine_tuning_jobs
                    where status = 'queued' or (status = 'running' and lease_until < now())
                    order by seq
                    limit 1
                    for update skip locked)
                returning id, attempts, cancel_requested""")
                .params(owner, leaseSeconds)
                .query((rs, n) -> new Claim(rs.getString("id"), rs.getInt("attempts"), rs.getBoolean("cancel_requested")))
                .optional();
    }

    /** Claims the next job whose pair feed is to be read, or nothing (its status stays validating_files). */
    public Optional<Claim> claimValidation(String owner, int leaseSeconds) {
        return jdbc.sql("""
                update fine_tuning_jobs set lease_owner = ?, lease_until = now() + make_interval(secs => ?),
                       attempts = attempts + 1, updated_at = now()
                where id = (
                    select id from fine_tuning_jobs
                    where status = 'validating_files' and (lease_owner is null or lease_until < now())
                    order by seq
                    limit 1
                    for update skip locked)
                returning id, attempts, cancel_requested""")
                .params(owner, leaseSeconds)
                .query((rs, n) -> new Claim(rs.getString("id"), rs.getInt("attempts"), rs.getBoolean("cancel_requested")))
                .optional();
    }

    /**
     * Renews the lease on {@code jobId} while it is still {@code status}; empty when the lease is
     * lost (expired and taken, or the job ended, e.g. cancelled while validating), otherwise
     * whether a cancel was asked for.
     */
    public Optional<Boolean> heartbeat(String jobId, String owner, JobStatus status, int leaseSeconds) {
        return jdbc.sql("""
                update fine_tuning_jobs set lease_until = now() + make_interval(secs => ?), updated_at = now()
                where id = ? and lease_owner = ? and status = ?
                returning cancel_requested""")
                .params(leaseSeconds, jobId, owner, status.value()).query(Boolean.class).optional();
    }

    /** Whether {@code owner} still holds {@code jobId} in {@code status}, and if so whether a cancel was asked for. */
    public Optional<Boolean> check(String jobId, String owner, JobStatus status) {
        return jdbc.sql("select cancel_requested from fine_tuning_jobs where id = ? and lease_owner = ? and status = ?")
                .params(jobId, owner, status.value()).query(Boolean.class).optional();
    }

    /** Hands a running job back to the queue at once (a graceful stop); a later claim resumes it. */
    public boolean release(String jobId, String owner) {
        return jdbc.sql("""
                update fine_tuning_jobs set status = 'queued', lease_owner = null, lease_until = null,
                       attempts = greatest(attempts - 1, 0), updated_at = now()
                where id = ? and lease_owner = ? and status = 'running'""").params(jobId, owner).update() == 1;
    }

    /** Hands a validating job back (a graceful stop while its feed was read). */
    public boolean releaseValidation(String jobId, String owner) {
        return jdbc.sql("""
                update fine_tuning_jobs set lease_owner = null, lease_until = null,
                       attempts = greatest(attempts - 1, 0), updated_at = now()
                where id = ? and lease_owner = ? and status = 'validating_files'""").params(jobId, owner).update() == 1;
    }

    /** The feed was read and its pairs stored: the job joins the training queue. */
    public boolean queueValidated(String jobId, String owner, int trainingPairs, int validationPairs,
                                  Integer validationTasks) {
        return jdbc.sql("""
                update fine_tuning_jobs set status = 'queued', lease_owner = null, lease_until = null, attempts = 0,
                       training_pairs = ?, validation_pairs = ?, validation_tasks = ?, updated_at = now()
                where id = ? and lease_owner = ? and status = 'validating_files'""")
                .params(trainingPairs, validationPairs, validationTasks, jobId, owner).update() == 1;
    }

    /** Ends a job this owner holds in {@code from}: succeeded, failed or cancelled. */
    public boolean finish(String jobId, String owner, JobStatus from, JobStatus to, String fineTunedModel,
                          JobError error) {
        return jdbc.sql("""
                update fine_tuning_jobs set status = ?, fine_tuned_model = ?, error_code = ?, error_message = ?,
                       error_param = ?, lease_owner = null, lease_until = null, finished_at = now(), updated_at = now()
                where id = ? and lease_owner = ? and status = ?""")
                .params(to.value(), fineTunedModel, error == null ? null : error.code(),
                        error == null ? null : error.message(), error == null ? null : error.param(), jobId, owner,
                        from.value())
                .update() == 1;
    }

    public boolean trainedTokens(String jobId, String owner, long tokens) {
        return jdbc.sql("update fine_tuning_jobs set trained_tokens = ?, updated_at = now() "
                        + "where id = ? and lease_owner = ? and status = 'running'")
                .params(tokens, jobId, owner).update() == 1;
    }

    /**
     * A cancel: a job not yet claimed for training ends at once; a running one is marked, and its
     * worker stops at its next step. Returns whether the job exists and had not finished.
     */
    public boolean cancel(String jobId) {
        int now = jdbc.sql("""
                update fine_tuning_jobs set status = 'cancelled', cancel_requested = true, lease_owner = null,
                       lease_until = null, finished_at = now(), updated_at = now()
                where id = ? and status in ('queued', 'validating_files')""").param(jobId).update();
        if (now == 1) {
            return true;
        }
        return jdbc.sql("update fine_tuning_jobs set cancel_requested = true, updated_at = now() "
                + "where id = ? and status = 'running'").param(jobId).update() == 1;
    }

    /** Running jobs that were cancelled and whose worker died: nobody will stop them, so they end here. */
    public int endAbandonedCancels() {
        return jdbc.sql("""
                update fine_tuning_jobs set status = 'cancelled', lease_owner = null, lease_until = null,
                       finished_at = now(), updated_at = now()
                where status = 'running' and cancel_requested and lease_until < now()""").update();
    }
}

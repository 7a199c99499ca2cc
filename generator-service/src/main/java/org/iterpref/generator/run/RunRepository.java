package org.iterpref.generator.run;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.iterpref.generator.task.Task;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/** Generation runs, with their trajectories and jobs created together. */
@Repository
public class RunRepository {

    private final JdbcClient jdbc;
    private final JsonMapper json;

    public RunRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * The run, one trajectory per task and sample, and one READY job per trajectory, atomically; the
     * run remembers the client's idempotency key and request fingerprint (both null without a key).
     * Returns false, creating nothing, when a run with that key exists already (also one a concurrent
     * request is creating: this waits for it to commit).
     */
    @Transactional
    public boolean create(GenerationRun run, List<Task> tasks, String idempotencyKey, String requestSha256) {
        int inserted = jdbc.sql("""
                insert into generation_runs (id, task_set, source, source_type, synthetic, max_iterations,
                                             samples_per_task, seed, pair_policy, status, created_at,
                                             idempotency_key, request_sha256)
                values (?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (idempotency_key) do nothing""")
                .params(run.id(), run.taskSet(), json.writeValueAsString(run.source()), run.sourceType(),
                        run.synthetic(), run.maxIterations(), run.samplesPerTask(), run.seed(),
                        run.pairPolicy().name(), run.status().name(), Timestamp.from(run.createdAt()),
                        idempotencyKey, requestSha256)
                .update();
        if (inserted == 0) {
            return false;
        }
        for (Task task : tasks) {
            for (int sample = 0; sample < run.samplesPerTask(); sample++) {
                UUID trajectory = UUID.randomUUID();
                jdbc.sql("""
                        insert into trajectories (id, run_id, task_id, sample, status, synthetic)
                        values (?, ?, ?, ?, 'QUEUED', ?)""")
                        .params(trajectory, run.id(), task.id(), sample, run.synthetic()).update();
                jdbc.sql("insert into jobs (trajectory_id, run_id, status) values (?, ?, 'READY')")
                        .params(trajectory, run.id()).update();
            }
        }
        return true;
    }

    /** The run created with this idempotency key, if one was. */
    public Optional<IdempotentRun> findByIdempotencyKey(String key) {
        return jdbc.sql("select id, request_sha256 from generation_runs where idempotency_key = ?").param(key)
                .query((rs, n) -> new IdempotentRun(rs.getObject("id", UUID.class), rs.getString("request_sha256")))
                .optional();
    }

    public Optional<GenerationRun> find(UUID id) {
        return jdbc.sql("select * from generation_runs where id = ?").param(id).query(this::map).optional();
    }

    /** Just the run's status (checked between iterations, so kept cheap). */
    public Optional<RunStatus> status(UUID runId) {
        return jdbc.sql("select status from generation_runs where id = ?").param(runId)
                .query((rs, n) -> RunStatus.valueOf(rs.getString(1))).optional();
    }

    public RunProgress.Counts counts(UUID runId) {
        return jdbc.sql("""
                select count(*) as total,
                       count(*) filter (where status = 'QUEUED') as queued,
                       count(*) filter (where status = 'RUNNING') as running,
                       count(*) filter (where status = 'PASSED') as passed,
                       count(*) filter (where status = 'FAILED') as failed,
                       count(*) filter (where status = 'ERRORED') as errored,
                       count(*) filter (where status = 'CANCELLED') as cancelled
                from trajectories where run_id = ?""")
                .param(runId)
                .query((rs, n) -> new RunProgress.Counts(rs.getInt("total"), rs.getInt("queued"), rs.getInt("running"),
                        rs.getInt("passed"), rs.getInt("failed"), rs.getInt("errored"), rs.getInt("cancelled")))
                .single();
    }

    public RunProgress.Timings timings(UUID runId) {
        return jdbc.sql("""
                select coalesce((select sum(i.generation_ms) from iterations i join trajectories t on t.id = i.trajectory_id
                                 where t.run_id = ?), 0) as generation,
                       coalesce((select sum(i.execution_ms) from iterations i join trajectories t on t.id = i.trajectory_id
                                 where t.run_id = ?), 0) as execution,
                       coalesce((select sum(worker_ms) from trajectories where run_id = ?), 0) as worker""")
                .params(runId, runId, runId)
                .query((rs, n) -> new RunProgress.Timings(rs.getLong("generation"), rs.getLong("execution"),
                        rs.getLong("worker")))
                .single();
    }

    public long iterationCount(UUID runId) {
        return jdbc.sql("select coalesce(sum(iterations), 0) from trajectories where run_id = ?").param(runId)
                .query(Long.class).single();
    }

    public void markRunning(UUID runId) {
        jdbc.sql("update generation_runs set status = 'RUNNING' where id = ? and status = 'QUEUED'").param(runId)
                .update();
    }

    /** COMPLETED once no job of the run is left to do. */
    public void completeIfDone(UUID runId) {
        jdbc.sql("""
                update generation_runs set status = 'COMPLETED', finished_at = now()
                where id = ? and status in ('QUEUED', 'RUNNING')
                  and not exists (select 1 from jobs where run_id = ? and status in ('READY', 'CLAIMED'))""")
                .params(runId, runId).update();
    }

    /**
     * COMPLETED for every run with no job left to do: the ones whose last job ended on an instance
     * that died before {@link #completeIfDone} (a job is done and its run completed in two commits).
     */
    public int completeFinished() {
        return jdbc.sql("""
                update generation_runs r set status = 'COMPLETED', finished_at = now()
                where r.status in ('QUEUED', 'RUNNING')
                  and not exists (select 1 from jobs j where j.run_id = r.id and j.status in ('READY', 'CLAIMED'))""")
                .update();
    }

    /** Cancels the run: queued trajectories are cancelled now, running ones after their current iteration. */
    @Transactional
    public boolean cancel(UUID runId) {
        int rows = jdbc.sql("""
                update generation_runs set status = 'CANCELLED', finished_at = now()
                where id = ? and status in ('QUEUED', 'RUNNING')""").param(runId).update();
        if (rows == 1) {
            jdbc.sql("update jobs set status = 'DONE', updated_at = now() where run_id = ? and status = 'READY'")
                    .param(runId).update();
            jdbc.sql("update trajectories set status = 'CANCELLED', updated_at = now() where run_id = ? and status = 'QUEUED'")
                    .param(runId).update();
        }
        return rows == 1;
    }

    private GenerationRun map(ResultSet rs, int row) throws SQLException {
        Timestamp finished = rs.getTimestamp("finished_at");
        return new GenerationRun(rs.getObject("id", UUID.class), rs.getString("task_set"),
                json.readTree(rs.getString("source")), rs.getString("source_type"), rs.getBoolean("synthetic"),
                rs.getInt("max_iterations"), rs.getInt("samples_per_task"), rs.getLong("seed"),
                org.iterpref.generator.pair.PairPolicy.valueOf(rs.getString("pair_policy")),
                RunStatus.valueOf(rs.getString("status")), rs.getTimestamp("created_at").toInstant(),
                finished == null ? null : finished.toInstant());
    }
}

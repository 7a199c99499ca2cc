package org.iterpref.generator.trajectory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.iterpref.common.execution.ExecutionResult;
import org.iterpref.common.execution.Verdict;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** Trajectories and their iterations. */
@Repository
public class TrajectoryRepository {

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final TransactionTemplate transactions;

    public TrajectoryRepository(JdbcClient jdbc, JsonMapper json, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.json = json;
        this.transactions = transactions;
    }

    public Optional<Trajectory> find(UUID id) {
        return jdbc.sql("select * from trajectories where id = ?").param(id).query(this::map).optional();
    }

    public List<Trajectory> list(UUID runId, TrajectoryStatus status, int offset, int limit) {
        StringBuilder sql = new StringBuilder("select * from trajectories where true");
        List<Object> params = new java.util.ArrayList<>();
        if (runId != null) {
            sql.append(" and run_id = ?");
            params.add(runId);
        }
        if (status != null) {
            sql.append(" and status = ?");
            params.add(status.name());
        }
        sql.append(" order by created_at, id offset ? limit ?");
        params.add(offset);
        params.add(limit);
        return jdbc.sql(sql.toString()).params(params).query(this::map).list();
    }

    public List<Iteration> iterations(UUID trajectoryId) {
        return jdbc.sql("select * from iterations where trajectory_id = ? order by number").param(trajectoryId)
                .query(this::mapIteration).list();
    }

    public Optional<Iteration> lastIteration(UUID trajectoryId) {
        return jdbc.sql("select * from iterations where trajectory_id = ? order by number desc limit 1")
                .param(trajectoryId).query(this::mapIteration).optional();
    }

    /**
     * Writes an iteration, only while {@code owner} holds the trajectory's job lease. False when
     * the lease was lost or the iteration exists already: it is written exactly once. Any U+0000 in
     * its texts is stored as U+FFFD (see {@link PostgresText}).
     */
    public boolean insertIteration(UUID trajectoryId, Iteration it, String owner) {
        // one transaction: an instance dying between the iteration and its count must leave neither
        Boolean stored = transactions.execute(status -> insertIterationAndCount(trajectoryId, it, owner));
        return Boolean.TRUE.equals(stored);
    }

    private boolean insertIterationAndCount(UUID trajectoryId, Iteration it, String owner) {
        int rows = jdbc.sql("""
                insert into iterations (trajectory_id, number, prompt, raw_output, code, model, verdict, passed, total,
                                        execution, feedback, prompt_tokens, completion_tokens, trimmed, generation_ms,
                                        execution_ms)
                select ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?
                where exists (select 1 from jobs where trajectory_id = ? and lease_owner = ? and status = 'CLAIMED')
                on conflict (trajectory_id, number) do nothing""")
                .params(trajectoryId, it.number(), PostgresText.text(it.prompt()), PostgresText.text(it.rawOutput()),
                        PostgresText.text(it.code()), it.model(), it.verdict().name(), it.passed(), it.total(),
                        PostgresText.json(json.writeValueAsString(it.execution())), PostgresText.text(it.feedback()),
                        it.promptTokens(), it.completionTokens(), it.trimmed(), it.generationMs(), it.executionMs(),
                        trajectoryId, owner)
                .update();
        if (rows == 1) {
            jdbc.sql("update trajectories set iterations = ?, updated_at = now() where id = ?")
                    .params(it.number() + 1, trajectoryId).update();
        }
        return rows == 1;
    }

    public void addWorkerTime(UUID id, long ms) {
        jdbc.sql("update trajectories set worker_ms = worker_ms + ? where id = ?").params(ms, id).update();
    }

    public void markRunning(UUID id) {
        jdbc.sql("update trajectories set status = 'RUNNING', updated_at = now() where id = ? and status = 'QUEUED'")
                .param(id).update();
    }

    /**
     * Runs {@code writes} in one transaction, only while {@code owner} holds the trajectory's job
     * lease: the job's row stays locked until they commit, so no other instance can take the job
     * over halfway (claiming skips locked rows). False, and nothing written, when the lease was lost:
     * the job is someone else's now, and this worker stops it.
     */
    public boolean underLease(UUID trajectoryId, String owner, Runnable writes) {
        Boolean held = transactions.execute(status -> {
            boolean holds = !jdbc.sql("""
                    select 1 from jobs where trajectory_id = ? and lease_owner = ? and status = 'CLAIMED' for update""")
                    .params(trajectoryId, owner).query(Integer.class).list().isEmpty();
            if (holds) {
                writes.run();
            }
            return holds;
        });
        return Boolean.TRUE.equals(held);
    }

    /** Ends the trajectory; a worker calls it through {@link #underLease}. */
    public void finish(UUID id, TrajectoryStatus status, String finalCode, String error) {
        jdbc.sql("update trajectories set status = ?, final_code = ?, error = ?, updated_at = now() where id = ?")
                .params(status.name(), finalCode, error, id).update();
    }

    /** {@link #finish} while {@code owner} holds the job's lease; false (nothing written) when it lost it. */
    public boolean finish(UUID id, TrajectoryStatus status, String finalCode, String error, String owner) {
        return underLease(id, owner, () -> finish(id, status, finalCode, error));
    }

    private Trajectory map(ResultSet rs, int row) throws SQLException {
        return new Trajectory(rs.getObject("id", UUID.class), rs.getObject("run_id", UUID.class),
                rs.getObject("task_id", UUID.class), rs.getInt("sample"),
                TrajectoryStatus.valueOf(rs.getString("status")), rs.getBoolean("synthetic"), rs.getInt("iterations"),
                rs.getString("final_code"), rs.getString("error"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant(), List.of());
    }

    private Iteration mapIteration(ResultSet rs, int row) throws SQLException {
        int prompt = rs.getInt("prompt_tokens");
        Integer promptTokens = rs.wasNull() ? null : prompt;
        int completion = rs.getInt("completion_tokens");
        Integer completionTokens = rs.wasNull() ? null : completion;
        return new Iteration(rs.getInt("number"), rs.getString("prompt"), rs.getString("raw_output"),
                rs.getString("code"), rs.getString("model"), Verdict.valueOf(rs.getString("verdict")),
                rs.getInt("passed"), rs.getInt("total"),
                json.readValue(rs.getString("execution"), ExecutionResult.class), rs.getString("feedback"),
                promptTokens, completionTokens, rs.getBoolean("trimmed"), rs.getLong("generation_ms"), rs.getLong("execution_ms"),
                rs.getTimestamp("created_at").toInstant());
    }
}

package org.iterpref.generator.evaluation;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Evaluations in PostgreSQL, and the scores of their samples (the trajectories of their run). */
@Repository
public class EvaluationRepository {

    private final JdbcClient jdbc;

    public EvaluationRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(Evaluation e) {
        jdbc.sql("""
                insert into evaluations (id, run_id, task_set, source_type, model, samples, ks, temperature, max_tokens,
                                         seed, gate_metric, gate_min, created_at)
                values (?, ?, ?, ?, ?, ?, ?::int[], ?, ?, ?, ?, ?, ?)""")
                .params(e.id(), e.runId(), e.taskSet(), e.sourceType(), e.model(), e.samples(), intArray(e.k()),
                        e.temperature(), e.maxTokens(), e.seed(), e.gateMetric(), e.gateMin(),
                        Timestamp.from(e.createdAt()))
                .update();
    }

    public Optional<Evaluation> find(UUID id) {
        return jdbc.sql("select * from evaluations where id = ?").param(id).query(this::map).optional();
    }

    /** The newest evaluations first, optionally of one task set and/or model. */
    public List<Evaluation> list(String taskSet, String model, int limit) {
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder("select * from evaluations where true");
        if (taskSet != null) {
            sql.append(" and task_set = ?");
            params.add(taskSet);
        }
        if (model != null) {
            sql.append(" and model = ?");
            params.add(model);
        }
        sql.append(" order by created_at desc, id limit ?");
        params.add(limit);
        return jdbc.sql(sql.toString()).params(params).query(this::map).list();
    }

    /** Raw counts per task: samples judged (PASSED or FAILED), passed, errored; by external id. */
    public List<TaskScore> counts(UUID runId) {
        return jdbc.sql("""
                select t.task_id, k.external_id,
                       count(*) filter (where t.status in ('PASSED', 'FAILED')) as n,
                       count(*) filter (where t.status = 'PASSED') as c,
                       count(*) filter (where t.status = 'ERRORED') as errored
                from trajectories t join tasks k on k.id = t.task_id
                where t.run_id = ?
                group by t.task_id, k.external_id
                order by k.external_id, t.task_id""")
                .param(runId)
                .query((rs, i) -> new TaskScore(rs.getObject("task_id", UUID.class), rs.getString("external_id"),
                        rs.getInt("n"), rs.getInt("c"), rs.getInt("errored"), null))
                .list();
    }

    /** The model names the samples were stored with (what the server reported), most frequent first. */
    public List<String> reportedModels(UUID runId) {
        return jdbc.sql("""
                select i.model from iterations i join trajectories t on t.id = i.trajectory_id
                where t.run_id = ? group by i.model order by count(*) desc, i.model limit 10""")
                .param(runId).query(String.class).list();
    }

    /** Why the first errored sample errored, if one did. */
    public Optional<String> firstError(UUID runId) {
        return jdbc.sql("""
                select error from trajectories where run_id = ? and status = 'ERRORED'
                order by updated_at, id limit 1""")
                .param(runId).query(String.class).optional();
    }

    /** For each task with a failing sample, its first (lowest-numbered) failing sample. */
    public List<FailingSample> firstFailingSamples(UUID runId) {
        return jdbc.sql("""
                select distinct on (t.task_id) t.task_id, t.sample, i.code, i.verdict, i.passed, i.total, i.feedback
                from trajectories t join iterations i on i.trajectory_id = t.id
                where t.run_id = ? and t.status = 'FAILED'
                order by t.task_id, t.sample, i.number""")
                .param(runId)
                .query((rs, n) -> new FailingSample(rs.getObject("task_id", UUID.class), rs.getInt("sample"),
                        rs.getString("code"), rs.getString("verdict"), rs.getInt("passed"), rs.getInt("total"),
                        rs.getString("feedback")))
                .list();
    }

    private Evaluation map(ResultSet rs, int row) throws SQLException {
        Array ks = rs.getArray("ks");
        List<Integer> k = Arrays.stream((Integer[]) ks.getArray()).toList();
        return new Evaluation(rs.getObject("id", UUID.class), rs.getObject("run_id", UUID.class),
                rs.getString("task_set"), rs.getString("source_type"), rs.getString("model"), rs.getInt("samples"), k,
                rs.getObject("temperature", Double.class), rs.getObject("max_tokens", Integer.class),
                rs.getLong("seed"), rs.getString("gate_metric"), rs.getObject("gate_min", Double.class),
                rs.getTimestamp("created_at").toInstant());
    }

    private static String intArray(List<Integer> values) {
        StringBuilder s = new StringBuilder("{");
        for (int i = 0; i < values.size(); i++) {
            s.append(i == 0 ? "" : ",").append(values.get(i));
        }
        return s.append('}').toString();
    }
}

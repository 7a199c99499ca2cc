package org.iterpref.trainer.finetune;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * What jobs report, in PostgreSQL: events, metric rows, checkpoints, and the fine-tuned models
 * they leave to serve. A worker's writes are guarded by its lease (they insert nothing once the
 * job is another instance's); the API's own events (created, cancelled) are not.
 */
@Repository
class JobHistory {

    private static final String HELD = "exists (select 1 from fine_tuning_jobs where id = :job and lease_owner = :owner "
            + "and status = 'running')";
    private static final String HELD_IN = "exists (select 1 from fine_tuning_jobs where id = :job and lease_owner = :owner "
            + "and status = :status)";
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    private final JdbcClient jdbc;
    private final JsonMapper json;

    JobHistory(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** An event row. */
    record Event(long id, String jobId, String level, String type, String message, Map<String, Object> data,
                 Instant createdAt) {
    }

    /** A checkpoint row. */
    record Checkpoint(String id, String jobId, int step, String modelId, Map<String, Object> metrics,
                      Instant createdAt) {
    }

    /** A metric row as the engine reported it. */
    record MetricRow(long id, String kind, Map<String, Object> metrics) {
    }

    void event(String jobId, String level, String type, String message, Map<String, Object> data) {
        jdbc.sql("insert into fine_tuning_events (job_id, level, type, message, data) values (?, ?, ?, ?, ?::jsonb)")
                .params(jobId, level, type, message, data == null ? null : json.writeValueAsString(data)).update();
    }

    /** An event of a job {@code owner} holds in {@code status}; false (nothing written) otherwise. */
    boolean event(String jobId, String owner, JobStatus status, String level, String type, String message,
                  Map<String, Object> data) {
        return jdbc.sql("insert into fine_tuning_events (job_id, level, type, message, data) "
                        + "select :job, :level, :type, :message, cast(:data as jsonb) where " + HELD_IN)
                .param("job", jobId).param("owner", owner).param("status", status.value()).param("level", level)
                .param("type", type)
                .param("message", message).param("data", data == null ? null : json.writeValueAsString(data))
                .update() == 1;
    }

    /**
     * A metric row. A resumed run reports again the steps after its checkpoint, so a row replaces
     * the rows of the same kind from its step on: the history reads as one run.
     */
    boolean metrics(String jobId, String owner, String kind, Integer step, Map<String, Double> row) {
        if (step != null) {
            jdbc.sql("delete from fine_tuning_metrics where job_id = :job and kind = :kind and step >= :step and " + HELD)
                    .param("job", jobId).param("owner", owner).param("kind", kind).param("step", step).update();
        }
        return jdbc.sql("insert into fine_tuning_metrics (job_id, kind, step, metrics) "
                        + "select :job, :kind, :step, cast(:metrics as jsonb) where " + HELD)
                .param("job", jobId).param("owner", owner).param("kind", kind).param("step", step)
                .param("metrics", json.writeValueAsString(row)).update() == 1;
    }

    /** A checkpoint and the model it serves as, in one statement (again on a resume: the same ids). */
    boolean checkpoint(String checkpointId, String jobId, String owner, int step, String modelId,
                       Map<String, Object> metrics, String directory) {
        return jdbc.sql("""
                with held as (select 1 where %s),
                     model as (insert into fine_tuned_models (id, job_id, directory) select :model, :job, :dir from held
                               on conflict (id) do update set directory = excluded.directory returning id)
                insert into fine_tuning_checkpoints (id, job_id, step, model_id, metrics)
                select :id, :job, :step, :model, cast(:metrics as jsonb) from held
                on conflict (job_id, step) do update set metrics = excluded.metrics, created_at = now()
                """.formatted(HELD))
                .param("id", checkpointId).param("job", jobId).param("owner", owner).param("step", step)
                .param("model", modelId).param("dir", directory).param("metrics", json.writeValueAsString(metrics))
                .update() == 1;
    }

    boolean model(String modelId, String jobId, String owner, String directory) {
        return jdbc.sql("insert into fine_tuned_models (id, job_id, directory) select :model, :job, :dir where " + HELD
                        + " on conflict (id) do update set directory = excluded.directory")
                .param("model", modelId).param("job", jobId).param("owner", owner).param("dir", directory)
                .update() == 1;
    }

    /** Newest first, older than event {@code before} (0: from the newest). */
    List<Event> events(String jobId, long before, int limit) {
        return jdbc.sql("select * from fine_tuning_events where job_id = ? and (? = 0 or id < ?) order by id desc limit ?")
                .params(jobId, before, before, limit).query((rs, n) -> event(rs)).list();
    }

    /** Oldest first, newer than event {@code after}: what a stream has not sent yet. */
    List<Event> eventsAfter(String jobId, long after, int limit) {
        return jdbc.sql("select * from fine_tuning_events where job_id = ? and id > ? order by id limit ?")
                .params(jobId, after, limit).query((rs, n) -> event(rs)).list();
    }

    /** Newest step first, below step {@code beforeStep} (Integer.MAX_VALUE: from the newest). */
    List<Checkpoint> checkpoints(String jobId, int beforeStep, int limit) {
        return jdbc.sql("select * from fine_tuning_checkpoints where job_id = ? and step < ? order by step desc limit ?")
                .params(jobId, beforeStep, limit)
                .query((rs, n) -> new Checkpoint(rs.getString("id"), rs.getString("job_id"), rs.getInt("step"),
                        rs.getString("model_id"), json.readValue(rs.getString("metrics"), MAP),
                        rs.getTimestamp("created_at").toInstant()))
                .list();
    }

    Optional<Integer> checkpointStep(String jobId, String checkpointId) {
        return jdbc.sql("select step from fine_tuning_checkpoints where job_id = ? and id = ?")
                .params(jobId, checkpointId).query(Integer.class).optional();
    }

    /** In the order reported, after row {@code after}. */
    List<MetricRow> metrics(String jobId, long after, int limit) {
        return jdbc.sql("select id, kind, metrics from fine_tuning_metrics where job_id = ? and id > ? order by id limit ?")
                .params(jobId, after, limit)
                .query((rs, n) -> new MetricRow(rs.getLong("id"), rs.getString("kind"),
                        json.readValue(rs.getString("metrics"), MAP)))
                .list();
    }

    /** The stored (relative) directory of a fine-tuned model or checkpoint. */
    Optional<String> modelDirectory(String modelId) {
        return jdbc.sql("select directory from fine_tuned_models where id = ?").param(modelId).query(String.class)
                .optional();
    }

    private Event event(java.sql.ResultSet rs) throws java.sql.SQLException {
        String data = rs.getString("data");
        return new Event(rs.getLong("id"), rs.getString("job_id"), rs.getString("level"), rs.getString("type"),
                rs.getString("message"), data == null ? null : json.readValue(data, MAP),
                rs.getTimestamp("created_at").toInstant());
    }
}

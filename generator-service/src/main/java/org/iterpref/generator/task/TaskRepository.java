package org.iterpref.generator.task;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.iterpref.common.execution.TestCase;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Tasks and task sets in PostgreSQL (tests and metadata as jsonb). */
@Repository
public class TaskRepository {

    private static final TypeReference<List<TestCase>> TESTS = new TypeReference<>() { };
    private static final TypeReference<Map<String, Object>> METADATA = new TypeReference<>() { };

    private final JdbcClient jdbc;
    private final JsonMapper json;

    public TaskRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public void ensureSet(String name) {
        jdbc.sql("insert into task_sets (name) values (?) on conflict do nothing").param(name).update();
    }

    /** Stores a new task; false when its set already has a task with that external id. */
    public boolean insert(Task task) {
        ensureSet(task.taskSet());
        int rows = jdbc.sql("""
                insert into tasks (id, task_set, external_id, format, language, prompt, entry_point,
                                   reference_solution, tests, status, status_reason, metadata, created_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?::jsonb, ?)
                on conflict (task_set, external_id) do nothing""")
                .params(task.id(), task.taskSet(), task.externalId(), task.format().name(), task.language(),
                        task.prompt(), task.entryPoint(), task.referenceSolution(),
                        json.writeValueAsString(task.tests()), task.status().name(), task.statusReason(),
                        json.writeValueAsString(task.metadata()), java.sql.Timestamp.from(task.createdAt()))
                .update();
        return rows == 1;
    }

    public Optional<Task> findById(UUID id) {
        return jdbc.sql("select * from tasks where id = ?").param(id).query(this::map).optional();
    }

    public List<Task> findBySet(String set, int offset, int limit) {
        return jdbc.sql("select * from tasks where task_set = ? order by created_at, id offset ? limit ?")
                .params(set, offset, limit).query(this::map).list();
    }

    public List<Task> findAll(int offset, int limit) {
        return jdbc.sql("select * from tasks order by created_at, id offset ? limit ?")
                .params(offset, limit).query(this::map).list();
    }

    public long count(String set) {
        return set == null
                ? jdbc.sql("select count(*) from tasks").query(Long.class).single()
                : jdbc.sql("select count(*) from tasks where task_set = ?").param(set).query(Long.class).single();
    }

    /** The valid tasks of a set, in a stable order: what a generation run works on. */
    public List<Task> findValidBySet(String set) {
        return jdbc.sql("select * from tasks where task_set = ? and status = 'VALID' order by created_at, id")
                .param(set).query(this::map).list();
    }

    public boolean setExists(String set) {
        return jdbc.sql("select count(*) from task_sets where name = ?").param(set).query(Long.class).single() > 0;
    }

    public void updateStatus(UUID id, TaskStatus status, String reason) {
        jdbc.sql("update tasks set status = ?, status_reason = ? where id = ?")
                .params(status.name(), reason, id).update();
    }

    public boolean usedByTrajectories(UUID id) {
        return jdbc.sql("select exists (select 1 from trajectories where task_id = ?)").param(id)
                .query(Boolean.class).single();
    }

    public boolean delete(UUID id) {
        return jdbc.sql("delete from tasks where id = ?").param(id).update() == 1;
    }

    private Task map(ResultSet rs, int row) throws SQLException {
        return new Task(
                rs.getObject("id", UUID.class),
                rs.getString("task_set"),
                rs.getString("external_id"),
                TaskFormat.valueOf(rs.getString("format")),
                rs.getString("language"),
                rs.getString("prompt"),
                rs.getString("entry_point"),
                rs.getString("reference_solution"),
                json.readValue(rs.getString("tests"), TESTS),
                TaskStatus.valueOf(rs.getString("status")),
                rs.getString("status_reason"),
                json.readValue(rs.getString("metadata"), METADATA),
                rs.getTimestamp("created_at").toInstant());
    }
}

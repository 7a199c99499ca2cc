package org.iterpref.generator.task;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.iterpref.common.execution.TestCase;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tasks and task sets: Spring Data JPA for the tasks themselves, JDBC where a query needs it (the
 * set upsert, and whether trajectories use a task).
 */
@Repository
public class TaskRepository {

    private static final TypeReference<List<TestCase>> TESTS = new TypeReference<>() { };
    private static final TypeReference<Map<String, Object>> METADATA = new TypeReference<>() { };
    private static final Sort STABLE = Sort.by("createdAt", "id");

    private final TaskJpaRepository tasks;
    private final JdbcClient jdbc;
    private final JsonMapper json;

    TaskRepository(TaskJpaRepository tasks, JdbcClient jdbc, JsonMapper json) {
        this.tasks = tasks;
        this.jdbc = jdbc;
        this.json = json;
    }

    public void ensureSet(String name) {
        jdbc.sql("insert into task_sets (name) values (?) on conflict do nothing").param(name).update();
    }

    /** Stores a new task; false when its set already has a task with that external id. */
    @Transactional
    public boolean insert(Task task) {
        ensureSet(task.taskSet());
        if (tasks.existsByTaskSetAndExternalId(task.taskSet(), task.externalId())) {
            return false;
        }
        try {
            tasks.saveAndFlush(new TaskEntity(task, json.writeValueAsString(task.tests()),
                    json.writeValueAsString(task.metadata())));
            return true;
        } catch (DataIntegrityViolationException e) {
            return false; // stored concurrently under the same (set, external id)
        }
    }

    public Optional<Task> findById(UUID id) {
        return tasks.findById(id).map(this::toTask);
    }

    public List<Task> findBySet(String set, int page, int size) {
        return tasks.findByTaskSet(set, PageRequest.of(page, size, STABLE)).stream().map(this::toTask).toList();
    }

    public List<Task> findAll(int page, int size) {
        return tasks.findAll(PageRequest.of(page, size, STABLE)).stream().map(this::toTask).toList();
    }

    public long count(String set) {
        return set == null ? tasks.count() : tasks.countByTaskSet(set);
    }

    /** Up to {@code limit} tasks still waiting for validation, oldest first. */
    public List<Task> findPending(int limit) {
        return tasks.findByStatus(TaskStatus.PENDING, PageRequest.of(0, limit, STABLE)).stream()
                .map(this::toTask).toList();
    }

    /** The valid tasks of a set, in a stable order: what a generation run works on. */
    public List<Task> findValidBySet(String set) {
        return tasks.findByTaskSetAndStatusOrderByCreatedAtAscIdAsc(set, TaskStatus.VALID).stream()
                .map(this::toTask).toList();
    }

    public boolean setExists(String set) {
        return jdbc.sql("select count(*) from task_sets where name = ?").param(set).query(Long.class).single() > 0;
    }

    @Transactional
    public void updateStatus(UUID id, TaskStatus status, String reason) {
        tasks.updateStatus(id, status, reason);
    }

    public boolean usedByTrajectories(UUID id) {
        return jdbc.sql("select exists (select 1 from trajectories where task_id = ?)").param(id)
                .query(Boolean.class).single();
    }

    @Transactional
    public boolean delete(UUID id) {
        if (!tasks.existsById(id)) {
            return false;
        }
        tasks.deleteById(id);
        return true;
    }

    private Task toTask(TaskEntity e) {
        return new Task(e.id(), e.taskSet(), e.externalId(), e.format(), e.language(), e.prompt(), e.entryPoint(),
                e.referenceSolution(), json.readValue(e.testsJson(), TESTS), e.status(), e.statusReason(),
                json.readValue(e.metadataJson(), METADATA), e.createdAt());
    }
}

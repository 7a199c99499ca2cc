package org.iterpref.generator.task;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.ColumnTransformer;

/** The JPA mapping of a row of {@code tasks}; the rest of the service sees {@link Task}. */
@Entity
@Table(name = "tasks")
class TaskEntity {

    @Id
    private UUID id;
    @Column(name = "task_set", nullable = false)
    private String taskSet;
    @Column(name = "external_id", nullable = false)
    private String externalId;
    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    private TaskFormat format;
    @Column(nullable = false)
    private String language;
    @Column(nullable = false)
    private String prompt;
    @Column(name = "entry_point")
    private String entryPoint;
    @Column(name = "reference_solution")
    private String referenceSolution;
    /** The tests as JSON (jsonb). */
    @Column(nullable = false, columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    private String tests;
    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    private TaskStatus status;
    @Column(name = "status_reason")
    private String statusReason;
    @Column(nullable = false, columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    private String metadata;
    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    protected TaskEntity() {
    }

    TaskEntity(Task task, String testsJson, String metadataJson) {
        this.id = task.id();
        this.taskSet = task.taskSet();
        this.externalId = task.externalId();
        this.format = task.format();
        this.language = task.language();
        this.prompt = task.prompt();
        this.entryPoint = task.entryPoint();
        this.referenceSolution = task.referenceSolution();
        this.tests = testsJson;
        this.status = task.status();
        this.statusReason = task.statusReason();
        this.metadata = metadataJson;
        this.createdAt = task.createdAt();
    }

    UUID id() {
        return id;
    }

    String taskSet() {
        return taskSet;
    }

    String externalId() {
        return externalId;
    }

    TaskFormat format() {
        return format;
    }

    String language() {
        return language;
    }

    String prompt() {
        return prompt;
    }

    String entryPoint() {
        return entryPoint;
    }

    String referenceSolution() {
        return referenceSolution;
    }

    String testsJson() {
        return tests;
    }

    TaskStatus status() {
        return status;
    }

    String statusReason() {
        return statusReason;
    }

    String metadataJson() {
        return metadata;
    }

    Instant createdAt() {
        return createdAt;
    }
}

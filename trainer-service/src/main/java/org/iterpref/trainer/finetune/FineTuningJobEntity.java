package org.iterpref.trainer.finetune;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.ColumnTransformer;

/**
 * The JPA mapping of a row of {@code fine_tuning_jobs}, for creating jobs and reading them; the
 * worker's lease-guarded updates go through {@link JobQueue} (JDBC), never through this entity.
 */
@Entity
@Table(name = "fine_tuning_jobs")
class FineTuningJobEntity {

    @Id
    private String id;
    /** Assigned by the database (bigserial): the listing and claiming order. */
    @Column(insertable = false, updatable = false)
    private Long seq;
    @Column(nullable = false)
    private String model;
    @Column(nullable = false)
    private String status;
    @Column(name = "training_file")
    private String trainingFile;
    @Column(name = "validation_file")
    private String validationFile;
    @Column(name = "pair_feed", columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    private String pairFeed;
    @Column(nullable = false, columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    private String hyperparameters;
    @Column(nullable = false)
    private long seed;
    private String suffix;
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    private String metadata;
    @Column(name = "fine_tuned_model")
    private String fineTunedModel;
    @Column(name = "trained_tokens")
    private Long trainedTokens;
    @Column(name = "training_pairs")
    private Integer trainingPairs;
    @Column(name = "validation_pairs")
    private Integer validationPairs;
    @Column(name = "validation_tasks", insertable = false, updatable = false)
    private Integer validationTasks;
    @Column(name = "error_code")
    private String errorCode;
    @Column(name = "error_message")
    private String errorMessage;
    @Column(name = "error_param")
    private String errorParam;
    @Column(name = "cancel_requested", nullable = false)
    private boolean cancelRequested;
    @Column(name = "created_at", nullable = false)
    private Instant createdAt;
    @Column(name = "finished_at")
    private Instant finishedAt;

    protected FineTuningJobEntity() {
    }

    FineTuningJobEntity(String id, JobRequest request, JobStatus status, String hyperparametersJson,
                        String pairFeedJson, String metadataJson, Integer trainingPairs, Integer validationPairs,
                        Instant createdAt) {
        this.id = id;
        this.model = request.model();
        this.status = status.value();
        this.trainingFile = request.trainingFile();
        this.validationFile = request.validationFile();
        this.pairFeed = pairFeedJson;
        this.hyperparameters = hyperparametersJson;
        this.seed = request.seed();
        this.suffix = request.suffix();
        this.metadata = metadataJson;
        this.trainingPairs = trainingPairs;
        this.validationPairs = validationPairs;
        this.createdAt = createdAt;
    }

    String id() {
        return id;
    }

    Long seq() {
        return seq;
    }

    String model() {
        return model;
    }

    JobStatus status() {
        return JobStatus.of(status);
    }

    String trainingFile() {
        return trainingFile;
    }

    String validationFile() {
        return validationFile;
    }

    String pairFeedJson() {
        return pairFeed;
    }

    String hyperparametersJson() {
        return hyperparameters;
    }

    long seed() {
        return seed;
    }

    String suffix() {
        return suffix;
    }

    String metadataJson() {
        return metadata;
    }

    String fineTunedModel() {
        return fineTunedModel;
    }

    Long trainedTokens() {
        return trainedTokens;
    }

    Integer trainingPairs() {
        return trainingPairs;
    }

    Integer validationPairs() {
        return validationPairs;
    }

    /** Tasks held out whole for validation (a pair feed whose pairs name their task); else null. */
    Integer validationTasks() {
        return validationTasks;
    }

    String errorCode() {
        return errorCode;
    }

    String errorMessage() {
        return errorMessage;
    }

    String errorParam() {
        return errorParam;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    Instant createdAt() {
        return createdAt;
    }

    Instant finishedAt() {
        return finishedAt;
    }
}

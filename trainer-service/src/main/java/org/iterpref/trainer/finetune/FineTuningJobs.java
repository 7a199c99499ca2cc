package org.iterpref.trainer.finetune;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.iterpref.trainer.config.FineTuningProperties;
import org.iterpref.trainer.feed.FeedAllowList;
import org.iterpref.trainer.feed.FeedRequest;
import org.iterpref.trainer.files.FileInUse;
import org.iterpref.trainer.files.TrainingFiles;
import org.iterpref.trainer.serving.ModelRegistry;
import org.iterpref.trainer.serving.OpenAiException;
import org.iterpref.trainer.storage.Ids;
import org.springframework.data.domain.PageRequest;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Fine-tuning jobs as the API sees them: creation, reads, cancel, and what a running job reported. */
@Service
class FineTuningJobs implements FileInUse {

    static final int MAX_LIST = 100;
    static final int MAX_METRICS = 10_000;
    static final String ORGANIZATION = "org-iterpref";
    private static final TypeReference<Map<String, String>> STRINGS = new TypeReference<>() { };

    private final FineTuningJobRepository jobs;
    private final JobQueue queue;
    private final JobHistory history;
    private final TrainingFiles files;
    private final ModelRegistry registry;
    private final FeedAllowList allowList;
    private final FineTuningProperties properties;
    private final JsonMapper json;

    FineTuningJobs(FineTuningJobRepository jobs, JobQueue queue, JobHistory history, TrainingFiles files,
                   ModelRegistry registry, FeedAllowList allowList, FineTuningProperties properties, JsonMapper json) {
        this.jobs = jobs;
        this.queue = queue;
        this.history = history;
        this.files = files;
        this.registry = registry;
        this.allowList = allowList;
        this.properties = properties;
        this.json = json;
    }

    @Transactional
    FineTuningJobObject create(JsonNode body) {
        JobRequest request = JobRequest.parse(body, allowList, properties.pairFeeds().maxPairs());
        if (!registry.isServable(request.model())) {
            throw new OpenAiException(HttpStatus.BAD_REQUEST, "invalid_request_error", "Model "
                    + JobRequest.shorten(request.model()) + " is not available for fine-tuning or does not exist.",
                    "model", "model_not_available");
        }
        String id = Ids.next("ftjob-");
        if (!FineTunedModels.fits(request.model(), request.suffix(), id)) {
            throw OpenAiException.invalid(request.suffix() == null ? "model" : "suffix", "The fine-tuned model id "
                    + "ft:<model>:<suffix>:<job id>:ckpt-step-<n> would be longer than 128 characters; use a "
                    + "shorter suffix.");
        }
        Integer trainingPairs = request.trainingFile() == null ? null
                : files.lockForJob(request.trainingFile(), "training_file");
        Integer validationPairs = request.validationFile() == null ? null
                : files.lockForJob(request.validationFile(), "validation_file");
        JobStatus status = request.pairs() == null ? JobStatus.QUEUED : JobStatus.VALIDATING_FILES;
        FineTuningJobEntity entity = jobs.saveAndFlush(new FineTuningJobEntity(id, request, status,
                json.writeValueAsString(request.hyperparameters().toMap()),
                request.pairs() == null ? null : json.writeValueAsString(request.pairs().toMap()),
                request.metadata() == null ? null : json.writeValueAsString(request.metadata()),
                trainingPairs, validationPairs, Instant.now()));
        history.event(id, "info", "message", "Created fine-tuning job: " + id, null);
        if (request.trainingFile() != null) {
            history.event(id, "info", "message", "Validating training file: " + request.trainingFile()
                    + (request.validationFile() == null ? "" : " and validation file: " + request.validationFile()),
                    null);
            history.event(id, "info", "message", "Files validated, moving job to queued state", null);
        }
        return toObject(entity);
    }

    FineTuningJobObject get(String id) {
        return toObject(entity(id));
    }

    ApiObjects.JobList list(String after, int limit) {
        checkLimit(limit, MAX_LIST);
        long before = after == null || after.isEmpty() ? Long.MAX_VALUE : entity(after, "after").seq();
        List<FineTuningJobObject> rows = jobs.findBySeqLessThanOrderBySeqDesc(before, PageRequest.of(0, limit + 1))
                .stream().map(this::toObject).toList();
        return ApiObjects.JobList.of(ApiObjects.Slice.of(rows, limit, FineTuningJobObject::id));
    }

    FineTuningJobObject cancel(String id) {
        FineTuningJobEntity job = entity(id);
        if (job.status().finished()) {
            throw new OpenAiException(HttpStatus.BAD_REQUEST, "invalid_request_error", "Job " + id + " has already "
                    + job.status().value() + " and cannot be cancelled.", "fine_tuning_job_id", "job_not_cancellable");
        }
        if (queue.cancel(id)) {
            history.event(id, "info", "message", job.status() == JobStatus.RUNNING
                    ? "Job cancellation requested: the job stops at its next step" : "The job was cancelled", null);
        }
        return get(id);
    }

    ApiObjects.EventList events(String id, String after, int limit) {
        checkLimit(limit, MAX_LIST);
        entity(id);
        long before = 0;
        if (after != null && !after.isEmpty()) {
            before = eventNumber(after);
        }
        List<ApiObjects.JobEvent> rows = history.events(id, before, limit + 1).stream().map(FineTuningJobs::event)
                .toList();
        return ApiObjects.EventList.of(ApiObjects.Slice.of(rows, limit, ApiObjects.JobEvent::id));
    }

    ApiObjects.CheckpointList checkpoints(String id, String after, int limit) {
        checkLimit(limit, MAX_LIST);
        entity(id);
        int beforeStep = Integer.MAX_VALUE;
        if (after != null && !after.isEmpty()) {
            beforeStep = history.checkpointStep(id, after).orElseThrow(() -> OpenAiException.invalid("after",
                    "'after' must be the id of a checkpoint of this job."));
        }
        List<ApiObjects.Checkpoint> rows = history.checkpoints(id, beforeStep, limit + 1).stream()
                .map(c -> new ApiObjects.Checkpoint(ApiObjects.Checkpoint.OBJECT, c.id(), c.createdAt().getEpochSecond(),
                        c.modelId(), c.jobId(), c.metrics(), c.step()))
                .toList();
        return ApiObjects.CheckpointList.of(ApiObjects.Slice.of(rows, limit, ApiObjects.Checkpoint::id));
    }

    /** The engine's metric rows in the order reported; a row's cursor is its {@code id} ({@code ftmetric-N}). */
    ApiObjects.MetricList metrics(String id, String after, int limit) {
        checkLimit(limit, MAX_METRICS);
        entity(id);
        long from = 0;
        if (after != null && !after.isEmpty()) {
            from = number(after, "ftmetric-");
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (JobHistory.MetricRow row : history.metrics(id, from, limit + 1)) {
            Map<String, Object> shown = new LinkedHashMap<>();
            shown.put("id", "ftmetric-" + row.id());
            shown.put("kind", row.kind());
            shown.putAll(row.metrics());
            rows.add(shown);
        }
        return ApiObjects.MetricList.of(ApiObjects.Slice.of(rows, limit, r -> (String) r.get("id")));
    }

    /** Whether the job has ended (for event streams). */
    boolean finished(String id) {
        return entity(id).status().finished();
    }

    @Override
    public boolean inUse(String fileId) {
        return jobs.unfinishedJobUses(fileId);
    }

    FineTuningJobEntity entity(String id) {
        return entity(id, "fine_tuning_job_id");
    }

    private FineTuningJobEntity entity(String id, String param) {
        if (!Ids.looksLike(id, "ftjob-")) {
            throw notFound(id, param);
        }
        return jobs.findById(id).orElseThrow(() -> notFound(id, param));
    }

    static ApiObjects.JobEvent event(JobHistory.Event e) {
        return new ApiObjects.JobEvent(ApiObjects.JobEvent.OBJECT, "ftevent-" + e.id(), e.createdAt().getEpochSecond(),
                e.level(), e.message(), e.data(), e.type());
    }

    static long eventNumber(String id) {
        return number(id, "ftevent-");
    }

    private static long number(String id, String prefix) {
        try {
            if (id.startsWith(prefix)) {
                return Long.parseLong(id.substring(prefix.length()));
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw OpenAiException.invalid("after", "'after' must be an id of the form " + prefix + "N.");
    }

    private static void checkLimit(int limit, int max) {
        if (limit < 1 || limit > max) {
            throw OpenAiException.invalid("limit", "'limit' must be between 1 and " + max + ".");
        }
    }

    private static OpenAiException notFound(String id, String param) {
        return new OpenAiException(HttpStatus.NOT_FOUND, "invalid_request_error", "Could not find fine-tuning job: "
                + JobRequest.shorten(String.valueOf(id)), param, "fine_tune_not_found");
    }

    private FineTuningJobObject toObject(FineTuningJobEntity job) {
        JobHyperparameters hyperparameters = JobHyperparameters.fromStored(json.readTree(job.hyperparametersJson()));
        Map<String, Object> method = new LinkedHashMap<>();
        method.put("type", "dpo");
        method.put("dpo", Map.of("hyperparameters", hyperparameters.toMap()));
        Map<String, Object> pairs = null;
        if (job.pairFeedJson() != null) {
            pairs = new LinkedHashMap<>(FeedRequest.fromStored(json.readTree(job.pairFeedJson())).toMap());
            pairs.put("training_pairs", job.trainingPairs());
            pairs.put("validation_pairs", job.validationPairs());
            pairs.put("validation_tasks", job.validationTasks());
        }
        JobError error = job.errorMessage() == null ? null
                : new JobError(job.errorCode(), job.errorMessage(), job.errorParam());
        return new FineTuningJobObject(job.id(), FineTuningJobObject.OBJECT, job.createdAt().getEpochSecond(),
                job.finishedAt() == null ? null : job.finishedAt().getEpochSecond(), job.model(), job.fineTunedModel(),
                ORGANIZATION, job.status().value(), hyperparameters.toLegacyMap(), method, job.trainingFile(),
                job.validationFile(), List.of(), job.trainedTokens(), error, job.seed(), null, List.of(), job.suffix(),
                job.metadataJson() == null ? null : json.readValue(job.metadataJson(), STRINGS), pairs);
    }
}

package org.iterpref.generator.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.iterpref.generator.source.CodeSources;
import org.iterpref.generator.task.Task;
import org.iterpref.generator.task.TaskRepository;
import org.iterpref.common.problem.FieldError;
import org.iterpref.common.problem.InvalidRequestException;
import org.iterpref.generator.web.NotFoundException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/** Starts, reports on and cancels generation runs. */
@Service
public class RunService {

    static final int MAX_ITERATIONS = 20;
    static final int MAX_SAMPLES = 100;
    static final int MAX_TRAJECTORIES = 200_000;

    private final RunRepository runs;
    private final TaskRepository tasks;
    private final CodeSources sources;
    private final TransactionTemplate snapshot;
    private final RequestFingerprint fingerprint;

    public RunService(RunRepository runs, TaskRepository tasks, CodeSources sources,
                      PlatformTransactionManager transactions, RequestFingerprint fingerprint) {
        this.runs = runs;
        this.tasks = tasks;
        this.sources = sources;
        this.fingerprint = fingerprint;
        this.snapshot = new TransactionTemplate(transactions);
        this.snapshot.setReadOnly(true);
        this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
    }

    public RunProgress start(RunRequest request) {
        return start(request, null).progress();
    }

    /**
     * Starts a run, or, for an {@code Idempotency-Key} a run was started with already, answers that
     * run again ({@code replayed}) without starting another: the same key with a different request is
     * refused ({@link IdempotencyKeyReusedException}). Of concurrent submissions with one key, one
     * creates the run and the others answer it.
     */
    public StartedRun start(RunRequest request, IdempotencyKey key) {
        if (key == null) {
            return new StartedRun(create(request, null, null), false);
        }
        String sha256 = fingerprint.sha256(request);
        var earlier = runs.findByIdempotencyKey(key.value());
        if (earlier.isPresent()) {
            return replay(earlier.get(), sha256);
        }
        RunProgress created = create(request, key.value(), sha256);
        return created != null ? new StartedRun(created, false)
                : replay(runs.findByIdempotencyKey(key.value()).orElseThrow(), sha256);
    }

    private StartedRun replay(IdempotentRun earlier, String sha256) {
        if (!earlier.requestSha256().equals(sha256)) {
            throw new IdempotencyKeyReusedException();
        }
        return new StartedRun(progress(earlier.runId()), true);
    }

    /** The new run's progress, or null when a run with this idempotency key exists already. */
    private RunProgress create(RunRequest request, String idempotencyKey, String sha256) {
        List<FieldError> errors = new ArrayList<>();
        if (request == null) {
            throw InvalidRequestException.of("body", "a JSON object is required");
        }
        if (request.taskSet() == null || request.taskSet().isBlank()) {
            errors.add(new FieldError("taskSet", "is required"));
        } else if (!tasks.setExists(request.taskSet())) {
            errors.add(new FieldError("taskSet", "no task set '" + request.taskSet() + "'"));
        }
        int maxIterations = request.maxIterations() == null ? 5 : request.maxIterations();
        int samples = request.samplesPerTask() == null ? 1 : request.samplesPerTask();
        if (maxIterations < 1 || maxIterations > MAX_ITERATIONS) {
            errors.add(new FieldError("maxIterations", "must be between 1 and " + MAX_ITERATIONS));
        }
        if (samples < 1 || samples > MAX_SAMPLES) {
            errors.add(new FieldError("samplesPerTask", "must be between 1 and " + MAX_SAMPLES));
        }
        org.iterpref.generator.pair.PairPolicy policy = org.iterpref.generator.pair.PairPolicy.LAST;
        if (request.pairPolicy() != null) {
            try {
                policy = org.iterpref.generator.pair.PairPolicy.valueOf(request.pairPolicy().toUpperCase());
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("pairPolicy", "must be last or all"));
            }
        }
        JsonNode source = request.source();
        if (source == null || !source.isObject()) {
            errors.add(new FieldError("source", "an object with a \"type\" (bug-injection or openai) is required"));
        } else {
            errors.addAll(sources.validate(source));
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors, false);
        }
        List<Task> valid = tasks.findValidBySet(request.taskSet());
        if (valid.isEmpty()) {
            throw InvalidRequestException.of("taskSet", "task set '" + request.taskSet() + "' has no VALID tasks");
        }
        if ((long) valid.size() * samples > MAX_TRAJECTORIES) {
            throw new InvalidRequestException(List.of(new FieldError("samplesPerTask",
                    valid.size() + " tasks x " + samples + " samples is more than " + MAX_TRAJECTORIES
                            + " trajectories in one run")), true);
        }
        CodeSources.Prepared prepared = sources.prepare(source);
        var created = prepared.source();
        GenerationRun run = new GenerationRun(UUID.randomUUID(), request.taskSet(), prepared.stored(),
                source.get("type").asString(),
                created.synthetic(), maxIterations, samples, request.seed() == null ? 0L : request.seed(), policy,
                RunStatus.QUEUED, Instant.now(), null);
        if (!runs.create(run, valid, idempotencyKey, sha256)) {
            return null;
        }
        return progress(run.id());
    }

    /**
     * The run as of one snapshot: status, counts, iterations and timings are read in one
     * repeatable-read transaction, so they agree with each other (read statement by statement, a
     * trajectory could pass between the status and the counts). The SSE stream sends these whole.
     */
    public RunProgress progress(UUID id) {
        return snapshot.execute(status -> readProgress(id));
    }

    private RunProgress readProgress(UUID id) {
        GenerationRun run = runs.find(id).orElseThrow(() -> new NotFoundException("no generation run " + id));
        JsonNode model = run.source().get("model");
        return new RunProgress(run.id(), run.taskSet(), run.sourceType(),
                model == null ? run.sourceType() : model.asString(), run.synthetic(), run.status(), run.maxIterations(),
                run.samplesPerTask(), run.seed(), runs.counts(id), runs.iterationCount(id), runs.timings(id), run.createdAt(),
                run.finishedAt());
    }

    public RunProgress cancel(UUID id) {
        runs.find(id).orElseThrow(() -> new NotFoundException("no generation run " + id));
        runs.cancel(id);
        return progress(id);
    }
}

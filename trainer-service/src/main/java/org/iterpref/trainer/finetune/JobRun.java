package org.iterpref.trainer.finetune;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.iterpref.trainer.dpo.TrainingReporter;
import org.iterpref.trainer.serving.ModelRegistry;
import org.iterpref.trainer.storage.Ids;
import org.iterpref.trainer.storage.Storage;
import org.iterpref.web.db.DatabaseOutage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One claimed job on this instance: the {@link TrainingReporter} the engine calls from the
 * training thread. Everything it writes is guarded by the lease; a write that finds the lease gone,
 * a heartbeat that finds it taken, no heartbeat getting through for two thirds of the lease (the
 * database unreachable: another instance may claim the job soon), a cancel, or this instance
 * stopping makes {@link #shouldStop()} answer true, and the engine stops at its next step. A
 * failed database write is logged, never thrown into the engine. A write that fails because the
 * database cannot be reached ({@link DatabaseOutage}: restarting, connection dropped) also stops the
 * run: a row it could not write (a step's metrics, a checkpoint) would otherwise be missing for
 * good, so the job is handed back and resumes from its last checkpoint, reporting the steps after
 * it again.
 */
final class JobRun implements TrainingReporter {

    private static final Logger log = LoggerFactory.getLogger(JobRun.class);
    private static final Set<String> LEVELS = Set.of("info", "warn", "error");
    private static final int MAX_MESSAGE = 4000;
    private static final long CHECK_INTERVAL_NANOS = 1_000_000_000L;

    private final FineTuningJobEntity job;
    private final String owner;
    private final Services services;
    private final BooleanSupplier stopping;
    private volatile boolean leaseLost;
    private volatile boolean cancelRequested;
    private volatile boolean databaseLost;
    private final long leaseNanos;
    private volatile long checkedAt = System.nanoTime();
    private volatile long renewedAt = System.nanoTime();
    private volatile Map<String, Double> lastEval = Map.of();

    /** What a run writes through. */
    record Services(JobQueue queue, JobHistory history, FineTuningMetrics metrics, ModelRegistry registry,
                    Storage storage) {
    }

    JobRun(FineTuningJobEntity job, String owner, boolean cancelRequested, int leaseSeconds, Services services,
           BooleanSupplier stopping) {
        this.job = job;
        this.leaseNanos = leaseSeconds * 1_000_000_000L;
        this.owner = owner;
        this.cancelRequested = cancelRequested;
        this.services = services;
        this.stopping = stopping;
    }

    String jobId() {
        return job.id();
    }

    boolean leaseLost() {
        return leaseLost;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    /** A write failed because the database could not be reached: the run stops and is handed back. */
    boolean databaseLost() {
        return databaseLost;
    }

    /** The run failed outside a guarded write because the database could not be reached (reading its inputs, ending it). */
    void databaseUnreachable(Throwable failure) {
        databaseLost = true;
        log.warn("job {}: the database cannot be reached: handing the job back to resume from its last checkpoint: {}",
                job.id(), failure.toString());
    }

    @Override
    public void event(String level, String message) {
        String text = message == null ? "" : message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
        write("message", LEVELS.contains(level) ? level : "info", text, null);
    }

    @Override
    public void metrics(Map<String, Double> row) {
        Map<String, Double> copy = new LinkedHashMap<>(row);
        boolean eval = copy.keySet().stream().anyMatch(k -> k.startsWith("eval_"));
        Double stepValue = copy.get("step");
        Integer step = stepValue == null || !Double.isFinite(stepValue) ? null : (int) Math.round(stepValue);
        if (!written(() -> services.history().metrics(job.id(), owner, eval ? "eval" : "train", step, copy),
                "a metrics row")) {
            return;
        }
        services.metrics().row(job.id(), eval ? "eval" : "train", copy);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("step", step);
        if (eval) {
            lastEval = copy;
            data.put("valid_loss", copy.get("eval_loss"));
            data.put("full_valid_loss", copy.get("eval_loss"));
            write("metrics", "info", "Step " + step + ": validation loss=" + format(copy.get("eval_loss")), data);
        } else {
            data.put("train_loss", copy.get("loss"));
            data.put("rewards/accuracies", copy.get("rewards/accuracies"));
            data.put("rewards/margins", copy.get("rewards/margins"));
            data.put("learning_rate", copy.get("learning_rate"));
            write("metrics", "info", "Step " + step + ": training loss=" + format(copy.get("loss")), data);
        }
    }

    @Override
    public String checkpoint(int step, Path modelDir, Map<String, Double> metrics) {
        String modelId = FineTunedModels.checkpointId(job.model(), job.suffix(), job.id(), step);
        Path dir = modelDir.toAbsolutePath().normalize();
        if (!dir.startsWith(services.storage().jobDir(job.id()))) {
            throw new IllegalStateException("checkpoint " + dir + " is outside the job's work directory");
        }
        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("step", (double) step);
        shown.put("train_loss", metrics.get("loss"));
        Double validLoss = lastEval.get("eval_loss");
        shown.put("valid_loss", validLoss);
        shown.put("full_valid_loss", validLoss);
        metrics.forEach(shown::putIfAbsent);
        if (!written(() -> services.history().checkpoint(Ids.next("ftckpt-"), job.id(), owner, step, modelId, shown,
                services.storage().relative(dir)), "a checkpoint")) {
            if (databaseLost) {
                // unrecorded: the resume starts from the checkpoint before and makes this one again
                services.storage().deleteTree(dir);
            }
            return modelId;
        }
        services.registry().registerInternal(modelId, dir);
        write("message", "info", "Checkpoint created at step " + step + ": " + modelId, Map.of("step", step,
                "fine_tuned_model_checkpoint", modelId));
        return modelId;
    }

    @Override
    public void trainedTokens(long tokens) {
        written(() -> services.queue().trainedTokens(job.id(), owner, tokens), "trained tokens");
    }

    @Override
    public boolean shouldStop() {
        if (stopping.getAsBoolean() || leaseLost || cancelRequested || databaseLost) {
            return true;
        }
        long now = System.nanoTime();
        if (now - renewedAt > leaseNanos * 2 / 3) {
            lost("no heartbeat got through for two thirds of the lease");
            return true;
        }
        if (now - checkedAt > CHECK_INTERVAL_NANOS) {
            checkedAt = now;
            try {
                update(services.queue().check(job.id(), owner, JobStatus.RUNNING));
            } catch (RuntimeException e) {
                log.warn("job {}: cannot read its state: {}", job.id(), e.toString());
            }
        }
        return leaseLost || cancelRequested;
    }

    /** Renews the lease (the worker's heartbeat thread). */
    void heartbeat(int leaseSeconds) {
        long sent = System.nanoTime();
        java.util.Optional<Boolean> held = services.queue().heartbeat(job.id(), owner, JobStatus.RUNNING, leaseSeconds);
        update(held);
        if (held.isPresent()) {
            renewedAt = sent;
        }
    }

    /** The engine returned the final model: serve it and end the job succeeded. */
    void succeed(Path modelDir) {
        Path dir = modelDir.toAbsolutePath().normalize();
        if (!dir.startsWith(services.storage().jobDir(job.id()))) {
            throw new IllegalStateException("the final model " + dir + " is outside the job's work directory");
        }
        String modelId = FineTunedModels.modelId(job.model(), job.suffix(), job.id());
        if (!services.history().model(modelId, job.id(), owner, services.storage().relative(dir))) {
            lost("the final model");
            return;
        }
        services.registry().registerInternal(modelId, dir);
        write("message", "info", "New fine-tuned model created: " + modelId, Map.of("fine_tuned_model", modelId));
        write("message", "info", "The job has successfully completed", null);
        if (!services.queue().finish(job.id(), owner, JobStatus.RUNNING, JobStatus.SUCCEEDED, modelId, null)) {
            lost("the job's end");
        }
    }

    void fail(JobError error) {
        write("message", "error", error.message(), null);
        written(() -> services.queue().finish(job.id(), owner, JobStatus.RUNNING, JobStatus.FAILED, null, error),
                "the job's failure");
    }

    void cancelled() {
        write("message", "info", "The job was cancelled", null);
        written(() -> services.queue().finish(job.id(), owner, JobStatus.RUNNING, JobStatus.CANCELLED, null, null),
                "the job's cancellation");
    }

    /** Hands the job back for another claim to resume (this instance is stopping). */
    void release() {
        write("message", "info", "The job was handed back to the queue (" + (databaseLost
                ? "the database was unreachable" : "instance stopping") + "); it resumes from its last checkpoint", null);
        written(() -> services.queue().release(job.id(), owner), "the job's release");
    }

    private void write(String type, String level, String message, Map<String, Object> data) {
        written(() -> services.history().event(job.id(), owner, JobStatus.RUNNING, level, type, message, data),
                "an event");
    }

    /** Runs a lease-guarded write: false when it found the lease gone or could not reach the database. */
    private boolean written(java.util.function.BooleanSupplier write, String what) {
        try {
            if (write.getAsBoolean()) {
                return true;
            }
            lost(what);
        } catch (RuntimeException e) {
            if (DatabaseOutage.causedBy(e) && !databaseLost) {
                databaseLost = true;
                log.warn("job {}: the database cannot be reached (writing {}): stopping, to resume from the last "
                        + "checkpoint: {}", job.id(), what, e.toString());
            } else {
                log.warn("job {}: writing {} failed: {}", job.id(), what, e.toString());
            }
        }
        return false;
    }

    private void update(java.util.Optional<Boolean> held) {
        if (held.isEmpty()) {
            lost("the lease");
        } else {
            cancelRequested = cancelRequested || held.get();
        }
    }

    private void lost(String what) {
        if (!leaseLost) {
            leaseLost = true;
            log.warn("job {}: lease lost (found writing {}); stopping at the next step", job.id(), what);
        }
    }

    private static String format(Double value) {
        return value == null ? "n/a" : String.format(Locale.ROOT, "%.4f", value);
    }
}

package org.iterpref.trainer.finetune;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.iterpref.trainer.config.FineTuningProperties;
import org.iterpref.trainer.dpo.FineTuningEngine;
import org.iterpref.trainer.dpo.TrainingJob;
import org.iterpref.trainer.serving.ModelRegistry;
import org.iterpref.trainer.storage.Storage;
import org.iterpref.web.db.DatabaseOutage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Trains claimed jobs with the {@link FineTuningEngine}, {@code workers} at a time (one per
 * device; default 1), each on a thread of its own. A job is claimed from {@link JobQueue} under a
 * lease the heartbeat renews; the engine reports through a {@link JobRun}, whose writes are all
 * lease-guarded. The engine's outcome decides the job's: a model directory — served as
 * {@code ft:...}, succeeded; {@link IllegalArgumentException} — failed with its message;
 * {@link FineTuningEngine.TrainingStoppedException} — cancelled when a cancel was asked for,
 * nothing when the lease was lost (another instance has the job), handed back when this instance
 * is stopping. A graceful stop asks the running job to stop and hands it back at once; after a
 * crash the lease expires and another worker resumes the job from the last checkpoint in the same
 * work directory. A database that cannot be reached is not the job's failure either: the job is
 * handed back (or, while the database is still down, left to its lease) and resumed the same way. Without an engine bean (or with {@code workers: 0}) the instance serves the API only.
 */
@Component
public class FineTuningWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(FineTuningWorker.class);

    private final JobQueue queue;
    private final JobInputs inputs;
    private final JobRun.Services services;
    private final FineTuningProperties.Worker settings;
    private final ObjectProvider<FineTuningEngine> engines;
    private final String owner;
    private final Map<String, JobRun> active = new ConcurrentHashMap<>();
    private FineTuningEngine engine;
    private ExecutorService pool;
    private ScheduledExecutorService scheduler;
    private volatile boolean running;
    private volatile boolean stopping;

    FineTuningWorker(JobQueue queue, JobInputs inputs, JobHistory history, FineTuningMetrics metrics,
                     ModelRegistry registry, Storage storage, FineTuningProperties properties,
                     ObjectProvider<FineTuningEngine> engines) {
        this.queue = queue;
        this.inputs = inputs;
        this.services = new JobRun.Services(queue, history, metrics, registry, storage);
        this.settings = properties.fineTuning();
        this.engines = engines;
        this.owner = settings.instanceId().isEmpty()
                ? ManagementFactory.getRuntimeMXBean().getName() + "-" + UUID.randomUUID().toString().substring(0, 8)
                : settings.instanceId();
    }

    /** The lease owner name of this worker. */
    public String owner() {
        return owner;
    }

    /** Jobs this worker is training now. */
    public List<String> activeJobs() {
        return List.copyOf(active.keySet());
    }

    @Override
    public void start() {
        engine = engines.getIfAvailable();
        if (settings.workers() == 0 || engine == null) {
            log.info("fine-tuning worker off ({}): this instance serves the API only; jobs wait for an instance "
                    + "that trains", engine == null ? "no FineTuningEngine" : "iterpref.trainer.fine-tuning.workers=0");
            return;
        }
        pool = Executors.newFixedThreadPool(settings.workers(), threads("fine-tuning"));
        scheduler = Executors.newSingleThreadScheduledExecutor(threads("fine-tuning-poller"));
        running = true;
        stopping = false;
        scheduler.scheduleWithFixedDelay(this::poll, 0, settings.pollIntervalMs(), TimeUnit.MILLISECONDS);
        long beat = Math.max(200, settings.leaseSeconds() * 1000L / 3);
        scheduler.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
        log.info("fine-tuning worker {} started: {} at a time, lease {} s", owner, settings.workers(),
                settings.leaseSeconds());
    }

    private void poll() {
        try {
            int cancelled = queue.endAbandonedCancels();
            if (cancelled > 0) {
                log.info("{} cancelled job(s) whose worker had gone ended as cancelled", cancelled);
            }
            while (running && active.size() < settings.workers()) {
                Optional<JobQueue.Claim> claim = queue.claimTraining(owner, settings.leaseSeconds());
                if (claim.isEmpty()) {
                    return;
                }
                JobRun run = new JobRun(inputs.job(claim.get().jobId()), owner, claim.get().cancelRequested(),
                        settings.leaseSeconds(), services, () -> stopping);
                active.put(run.jobId(), run);
                pool.execute(() -> train(run, claim.get().attempts()));
            }
        } catch (RuntimeException e) {
            log.warn("claiming fine-tuning jobs failed: {}", e.toString());
        }
    }

    private void heartbeat() {
        for (JobRun run : active.values()) {
            try {
                run.heartbeat(settings.leaseSeconds());
            } catch (RuntimeException e) {
                log.warn("heartbeat for job {} failed: {}", run.jobId(), e.toString());
            }
        }
    }

    private void train(JobRun run, int attempts) {
        MDC.put("jobId", run.jobId());
        try {
            if (run.cancelRequested()) {
                run.cancelled();
            } else if (attempts > settings.maxAttempts()) {
                run.fail(new JobError("internal_error", "The job was claimed " + attempts + " times without "
                        + "finishing (its instance kept stopping); giving up.", null));
            } else {
                run.event("info", attempts > 1 ? "Fine-tuning job resumed (attempt " + attempts + ")"
                        : "Fine-tuning job started");
                TrainingJob job = inputs.build(inputs.job(run.jobId()));
                Path model = engine.train(job, run);
                run.succeed(model);
            }
        } catch (FineTuningEngine.TrainingStoppedException e) {
            stopped(run);
        } catch (IllegalArgumentException e) {
            if (!stoppedAnyway(run)) {
                run.fail(new JobError("invalid_training_data", e.getMessage(), null));
            }
        } catch (RuntimeException | Error e) {
            if (DatabaseOutage.causedBy(e)) {
                run.databaseUnreachable(e);
                stopped(run);
            } else if (!stoppedAnyway(run)) {
                log.error("fine-tuning job {} failed", run.jobId(), e);
                run.fail(new JobError("internal_error", "The training failed unexpectedly: " + e, null));
            }
        } finally {
            active.remove(run.jobId());
            services.metrics().ended(run.jobId());
            MDC.remove("jobId");
            claimNow();
        }
    }

    private void stopped(JobRun run) {
        if (run.leaseLost()) {
            log.info("job {} stopped: its lease is another instance's now", run.jobId());
        } else if (run.cancelRequested()) {
            run.cancelled();
        } else {
            run.release();
        }
    }

    /** A failure while stopping or after losing the lease is not the job's fault: hand it back instead. */
    private boolean stoppedAnyway(JobRun run) {
        if (run.leaseLost() || stopping) {
            stopped(run);
            return true;
        }
        return false;
    }

    private void claimNow() {
        if (running) {
            try {
                scheduler.execute(this::poll);
            } catch (RejectedExecutionException ignored) {
                // stopping
            }
        }
    }

    @Override
    public void stop() {
        if (!running) {
            return;
        }
        running = false;
        stopping = true;
        scheduler.shutdownNow();
        pool.shutdown();
        try {
            if (!pool.awaitTermination(settings.stopTimeoutMs(), TimeUnit.MILLISECONDS)) {
                log.warn("fine-tuning jobs {} did not stop within {} ms; handing them back anyway", active.keySet(),
                        settings.stopTimeoutMs());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String jobId : List.copyOf(active.keySet())) {
            queue.release(jobId, owner);
        }
        pool.shutdownNow();
        log.info("fine-tuning worker {} stopped", owner);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    static ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}

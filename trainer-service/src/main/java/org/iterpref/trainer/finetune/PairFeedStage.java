package org.iterpref.trainer.finetune;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.iterpref.trainer.config.FineTuningProperties;
import org.iterpref.trainer.feed.FeedRequest;
import org.iterpref.trainer.feed.FeedUnavailableException;
import org.iterpref.trainer.feed.PairFeedClient;
import org.iterpref.trainer.storage.PairFiles;
import org.iterpref.trainer.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code validating_files} stage of a job created with {@code pairs}: claims it under a lease
 * (so exactly one instance reads its feed, and a crashed reader's job is read again), reads the
 * pair feed into {@code storage/jobs/<id>/feed.jsonl} (each pair with its task id when the feed
 * names one), holds out the seeded validation share, by whole tasks ({@link ValidationSplit}), into
 * {@code validation.jsonl} and the rest into {@code training.jsonl}, and only then queues the job
 * with the counts in its row — so every claim and every resume trains on exactly these pairs. Runs
 * on every instance, whether it trains or not.
 */
@Component
class PairFeedStage implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PairFeedStage.class);
    static final String FEED = "feed.jsonl";

    private final JobQueue queue;
    private final JobHistory history;
    private final JobInputs inputs;
    private final PairFeedClient client;
    private final PairFiles pairFiles;
    private final Storage storage;
    private final JsonMapper json;
    private final FineTuningProperties.Worker settings;
    private final String owner;
    private ScheduledExecutorService scheduler;
    private volatile boolean running;
    private volatile String current;
    private volatile boolean lost;

    PairFeedStage(JobQueue queue, JobHistory history, JobInputs inputs, PairFeedClient client, PairFiles pairFiles,
                  Storage storage, JsonMapper json, FineTuningProperties properties) {
        this.queue = queue;
        this.history = history;
        this.inputs = inputs;
        this.client = client;
        this.pairFiles = pairFiles;
        this.storage = storage;
        this.json = json;
        this.settings = properties.fineTuning();
        this.owner = (settings.instanceId().isEmpty() ? ManagementFactory.getRuntimeMXBean().getName()
                : settings.instanceId()) + "-feed-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    public void start() {
        scheduler = Executors.newScheduledThreadPool(2, FineTuningWorker.threads("pair-feed"));
        running = true;
        scheduler.scheduleWithFixedDelay(this::poll, 0, settings.pollIntervalMs(), TimeUnit.MILLISECONDS);
    }

    private void poll() {
        try {
            while (running) {
                Optional<JobQueue.Claim> claim = queue.claimValidation(owner, settings.leaseSeconds());
                if (claim.isEmpty()) {
                    return;
                }
                process(claim.get());
            }
        } catch (RuntimeException e) {
            log.warn("reading pair feeds failed: {}", e.toString());
        }
    }

    private void process(JobQueue.Claim claim) {
        String jobId = claim.jobId();
        current = jobId;
        lost = false;
        long beat = Math.max(200, settings.leaseSeconds() * 1000L / 3);
        ScheduledFuture<?> heartbeat = scheduler.scheduleWithFixedDelay(() -> renew(jobId), beat, beat,
                TimeUnit.MILLISECONDS);
        try {
            if (claim.attempts() > settings.maxAttempts()) {
                fail(jobId, "internal_error", "Reading the pair feed was started " + claim.attempts()
                        + " times without finishing; giving up.");
                return;
            }
            FineTuningJobEntity job = inputs.job(jobId);
            FeedRequest request = FeedRequest.fromStored(json.readTree(job.pairFeedJson()));
            event(jobId, "Reading preference pairs from the pair feed " + request.feed());
            Path dir = storage.jobDir(jobId);
            PairFeedClient.Result result;
            List<String> taskIds = new ArrayList<>();
            try (PairFiles.Writer feed = pairFiles.create(dir.resolve(FEED))) {
                result = client.fetch(request, pair -> {
                    feed.write(pair.pair(), pair.taskId());
                    taskIds.add(pair.taskId());
                }, () -> !running || lost);
                if (!running || lost) {
                    if (!lost) {
                        queue.releaseValidation(jobId, owner);
                    }
                    return;
                }
                feed.commit();
            }
            ValidationSplit holdOut = ValidationSplit.of(taskIds, request.validationSplit(), job.seed());
            int[] counts = split(dir, holdOut);
            if (counts[0] == 0) {
                fail(jobId, "invalid_training_file", "The pair feed gave no usable preference pair (" + result.skipped()
                        + " skipped" + (request.includeSynthetic() ? "" : "; synthetic pairs are left out unless "
                        + "pairs.include_synthetic is true") + ").");
                return;
            }
            event(jobId, "Read " + result.pairs() + " pairs from the pair feed in " + result.pages() + " pages ("
                    + result.skipped() + " skipped): " + counts[0] + " for training, " + counts[1]
                    + " held out for validation" + (holdOut.validationTasks() == null ? ""
                    : ", tasks held out whole: " + holdOut.validationTasks()));
            if (queue.queueValidated(jobId, owner, counts[0], counts[1], holdOut.validationTasks())) {
                history.event(jobId, "info", "message", "Files validated, moving job to queued state", null);
            }
        } catch (FeedUnavailableException e) {
            fail(jobId, "pair_feed_unavailable", e.getMessage());
        } catch (RuntimeException e) {
            if (running) {
                log.error("reading the pair feed of job {} failed", jobId, e);
                fail(jobId, "internal_error", "Reading the pair feed failed unexpectedly: " + e);
            }
        } finally {
            heartbeat.cancel(false);
            current = null;
        }
    }

    /**
     * Splits {@code feed.jsonl} into {@code training.jsonl} and {@code validation.jsonl} as {@code
     * holdOut} says, reading it once more pair by pair; each file keeps the feed's order and the
     * pairs' task ids.
     */
    private int[] split(Path dir, ValidationSplit holdOut) {
        boolean[] validation = holdOut.validation();
        try (PairFiles.Writer training = pairFiles.create(dir.resolve(JobInputs.TRAINING));
             PairFiles.Writer holdout = pairFiles.create(dir.resolve(JobInputs.VALIDATION))) {
            int[] position = {0};
            pairFiles.forEachWithTask(dir.resolve(FEED), (pair, taskId) -> {
                int i = position[0]++;
                (i < validation.length && validation[i] ? holdout : training).write(pair, taskId);
            });
            training.commit();
            if (holdout.count() > 0) {
                holdout.commit();
            }
            return new int[] {training.count(), holdout.count()};
        }
    }

    private void renew(String jobId) {
        try {
            if (queue.heartbeat(jobId, owner, JobStatus.VALIDATING_FILES, settings.leaseSeconds()).isEmpty()) {
                lost = true;
            }
        } catch (RuntimeException e) {
            log.warn("heartbeat for job {} failed: {}", jobId, e.toString());
        }
    }

    private void event(String jobId, String message) {
        if (!history.event(jobId, owner, JobStatus.VALIDATING_FILES, "info", "message", message, null)) {
            lost = true;
        }
    }

    private void fail(String jobId, String code, String message) {
        history.event(jobId, owner, JobStatus.VALIDATING_FILES, "error", "message", message, null);
        queue.finish(jobId, owner, JobStatus.VALIDATING_FILES, JobStatus.FAILED, null,
                new JobError(code, message, "pairs.feed"));
    }

    @Override
    public void stop() {
        if (!running) {
            return;
        }
        running = false;
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String job = current;
        if (job != null) {
            queue.releaseValidation(job, owner);
        }
        scheduler.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}

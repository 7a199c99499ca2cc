package org.iterpref.generator.job;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.iterpref.generator.config.GeneratorProperties;
import org.iterpref.generator.executor.ExecutorUnavailableException;
import org.iterpref.generator.run.RunRepository;
import org.iterpref.generator.source.SourceUnavailableException;
import org.iterpref.generator.trajectory.TrajectoryEngine;
import org.iterpref.generator.trajectory.TrajectoryRepository;
import org.iterpref.generator.trajectory.TrajectoryStatus;
import org.iterpref.web.db.DatabaseOutage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Claims trajectory jobs from the shared queue and runs them, up to {@code workers} at once,
 * renewing their leases by heartbeat. An unreachable model server or executor gives the job back
 * with a growing delay; after {@code maxJobAttempts} claims the trajectory is ERRORED. A database
 * outage never ends a trajectory and uses up no attempt: the job is given back, or, while the
 * database is still gone, left to its lease, and resumed after its last stored iteration. On a
 * graceful stop the jobs in hand are released at once, so a restart (or another instance)
 * resumes them after their last stored iteration; after a crash their leases expire instead. A run
 * whose last job's instance died before completing the run is completed by the next idle poll.
 */
@Component
public class JobWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobWorker.class);
    private static final long MAX_BACKOFF_MS = 60_000;

    private final JobQueue queue;
    private final TrajectoryEngine engine;
    private final RunRepository runs;
    private final TrajectoryRepository trajectories;
    private final GeneratorProperties properties;
    private final String owner;
    private final Set<UUID> inFlight = ConcurrentHashMap.newKeySet();
    private final Counter retried;
    private final Counter ended;
    private ExecutorService pool;
    private ScheduledExecutorService scheduler;
    private volatile boolean running;

    public JobWorker(JobQueue queue, TrajectoryEngine engine, RunRepository runs, TrajectoryRepository trajectories,
                     GeneratorProperties properties, MeterRegistry registry) {
        this.queue = queue;
        this.engine = engine;
        this.runs = runs;
        this.trajectories = trajectories;
        this.properties = properties;
        this.owner = properties.instanceId() == null || properties.instanceId().isBlank()
                ? ManagementFactory.getRuntimeMXBean().getName() + "-" + UUID.randomUUID().toString().substring(0, 8)
                : properties.instanceId();
        this.retried = Counter.builder("iterpref.generator.jobs.retried")
                .description("Trajectory jobs given back because the model server or executor was unavailable")
                .register(registry);
        this.ended = Counter.builder("iterpref.generator.trajectories.ended")
                .description("Trajectories this instance brought to an end").register(registry);
        Gauge.builder("iterpref.generator.jobs.in_flight", inFlight, Set::size).register(registry);
    }

    public String owner() {
        return owner;
    }

    @Override
    public void start() {
        if (properties.workers() == 0) {
            log.info("job worker disabled (iterpref.generator.workers=0): this instance serves the API only");
            return;
        }
        pool = Executors.newFixedThreadPool(properties.workers(), daemon("trajectory-worker"));
        scheduler = Executors.newScheduledThreadPool(1, daemon("job-poller"));
        running = true;
        scheduler.scheduleWithFixedDelay(this::poll, 0, properties.pollIntervalMs(), TimeUnit.MILLISECONDS);
        long beat = Math.max(500, properties.leaseSeconds() * 1000L / 3);
        scheduler.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
        log.info("job worker {} started: {} workers, lease {} s", owner, properties.workers(), properties.leaseSeconds());
    }

    private void poll() {
        try {
            int free = properties.workers() - inFlight.size();
            List<JobQueue.Claim> claims = queue.claim(owner, free, properties.leaseSeconds());
            for (JobQueue.Claim claim : claims) {
                inFlight.add(claim.trajectoryId());
                pool.execute(() -> process(claim));
            }
            if (claims.size() < free) {
                runs.completeFinished(); // drained: complete a run whose last job ended on an instance that died
            }
        } catch (RuntimeException e) {
            log.warn("claiming jobs failed: {}", e.getMessage());
        }
    }

    private void recordWorkerTime(JobQueue.Claim claim, long started) {
        try {
            trajectories.addWorkerTime(claim.trajectoryId(), (System.nanoTime() - started) / 1_000_000);
        } catch (RuntimeException e) {
            log.debug("worker time not recorded: {}", e.getMessage());
        }
    }

    /** A worker is free: look for the next job now rather than at the next poll. */
    private void claimNow() {
        if (running) {
            try {
                scheduler.execute(this::poll);
            } catch (java.util.concurrent.RejectedExecutionException ignored) {
                // stopping
            }
        }
    }

    private void heartbeat() {
        try {
            List<UUID> held = List.copyOf(inFlight);
            int renewed = queue.heartbeat(owner, held, properties.leaseSeconds());
            if (renewed < held.size()) {
                log.warn("{} of {} leases were lost (expired and taken over)", held.size() - renewed, held.size());
            }
        } catch (RuntimeException e) {
            log.warn("heartbeat failed: {}", e.getMessage());
        }
    }

    private void process(JobQueue.Claim claim) {
        MDC.put("runId", claim.runId().toString());
        MDC.put("trajectoryId", claim.trajectoryId().toString());
        long started = System.nanoTime();
        try {
            if (engine.advance(claim.trajectoryId(), owner) == TrajectoryEngine.Outcome.ENDED) {
                queue.complete(claim.trajectoryId(), owner);
                ended.increment();
            }
        } catch (RuntimeException e) {
            if (running) { // when stopping, the job stays claimed until it is released or its lease expires
                failed(claim, e);
            }
        } finally {
            recordWorkerTime(claim, started);
            inFlight.remove(claim.trajectoryId());
            completeRunIfDone(claim);
            MDC.clear();
            claimNow();
        }
    }

    /**
     * A database outage is nobody's fault: the job goes back without using up an attempt. An
     * unreachable model server or executor is retried up to {@code maxJobAttempts}; anything else
     * ends the trajectory ERRORED. When the database is still gone as the job is given back or
     * ended, it stays claimed, and is claimed again once its lease expires.
     */
    private void failed(JobQueue.Claim claim, RuntimeException e) {
        try {
            if (DatabaseOutage.causedBy(e)) {
                waitOutDatabaseOutage(claim, e);
            } else if (e instanceof SourceUnavailableException || e instanceof ExecutorUnavailableException) {
                giveBack(claim, e);
            } else {
                log.warn("trajectory cannot go on: {}", e.toString());
                errored(claim, e.toString());
            }
        } catch (RuntimeException unreachable) {
            log.warn("job left to its lease ({} s), the database is unreachable: {}", properties.leaseSeconds(),
                    unreachable.toString());
        }
    }

    private void waitOutDatabaseOutage(JobQueue.Claim claim, RuntimeException e) {
        log.warn("database unavailable, will retry in {} ms: {}", properties.retryBackoffMs(), e.toString());
        queue.retryLaterUncounted(claim.trajectoryId(), owner, "database unavailable: " + e.getMessage(),
                properties.retryBackoffMs());
        retried.increment();
    }

    private void completeRunIfDone(JobQueue.Claim claim) {
        try {
            runs.completeIfDone(claim.runId());
        } catch (RuntimeException e) {
            log.warn("run not completed now (the next idle poll completes it): {}", e.toString());
        }
    }

    /** Ends the trajectory ERRORED, unless this worker lost its lease: then the job is someone else's. */
    private void errored(JobQueue.Claim claim, String error) {
        if (trajectories.finish(claim.trajectoryId(), TrajectoryStatus.ERRORED, null, error, owner)) {
            queue.complete(claim.trajectoryId(), owner);
        } else {
            log.warn("lost the lease of trajectory {}: not marking it ERRORED ({})", claim.trajectoryId(), error);
        }
    }

    private void giveBack(JobQueue.Claim claim, RuntimeException e) {
        if (claim.attempts() >= properties.maxJobAttempts()) {
            log.warn("giving up after {} attempts: {}", claim.attempts(), e.getMessage());
            errored(claim, "gave up after " + claim.attempts() + " attempts: " + e.getMessage());
            return;
        }
        long delay = Math.min(MAX_BACKOFF_MS, properties.retryBackoffMs() << Math.min(10, claim.attempts() - 1));
        log.info("will retry in {} ms (attempt {}): {}", delay, claim.attempts(), e.getMessage());
        queue.retryLater(claim.trajectoryId(), owner, e.getMessage(), delay);
        retried.increment();
    }

    @Override
    public void stop() {
        if (!running) {
            return;
        }
        running = false;
        scheduler.shutdownNow();
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (properties.releaseJobsOnStop()) {
            try {
                int released = queue.releaseAll(owner);
                log.info("job worker {} stopped; {} job(s) released for others to resume", owner, released);
            } catch (RuntimeException e) {
                log.warn("job worker {} stopped; its jobs could not be released, their leases expire instead: {}",
                        owner, e.toString());
            }
        } else {
            log.info("job worker {} stopped; its jobs are resumed by others when their leases expire", owner);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}

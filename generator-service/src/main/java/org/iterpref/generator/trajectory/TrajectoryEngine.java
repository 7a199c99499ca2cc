package org.iterpref.generator.trajectory;

import java.util.Optional;
import java.util.UUID;
import org.iterpref.common.execution.ExecutionResult;
import org.iterpref.common.execution.Verdict;
import org.iterpref.generator.executor.TestRunner;
import org.iterpref.generator.run.GenerationRun;
import org.iterpref.generator.run.RunRepository;
import org.iterpref.generator.run.RunStatus;
import org.iterpref.generator.source.CodeSource;
import org.iterpref.generator.source.CodeSources;
import org.iterpref.generator.source.Generation;
import org.iterpref.generator.source.GenerationContext;
import org.iterpref.generator.task.Task;
import org.iterpref.generator.task.TaskRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs one trajectory from where it stands: iteration 0 asks for a solution, each failing
 * iteration sends the task, its code and the executor's feedback back for a fix, until an
 * iteration passes or maxIterations is reached. Every iteration is stored as it happens, so a
 * trajectory interrupted anywhere resumes after its last stored iteration. Source and executor
 * outages propagate (the job is retried later); nothing partial is stored.
 */
@Component
public class TrajectoryEngine {

    private static final Logger log = LoggerFactory.getLogger(TrajectoryEngine.class);

    private final TrajectoryRepository trajectories;
    private final RunRepository runs;
    private final TaskRepository tasks;
    private final CodeSources sources;
    private final TestRunner executor;
    private final io.micrometer.core.instrument.MeterRegistry metrics;
    private final org.iterpref.generator.pair.PairBuilder pairs;

    public TrajectoryEngine(TrajectoryRepository trajectories, RunRepository runs, TaskRepository tasks,
                            CodeSources sources, TestRunner executor,
                            io.micrometer.core.instrument.MeterRegistry metrics,
                            org.iterpref.generator.pair.PairBuilder pairs) {
        this.trajectories = trajectories;
        this.runs = runs;
        this.tasks = tasks;
        this.sources = sources;
        this.executor = executor;
        this.metrics = metrics;
        this.pairs = pairs;
    }

    /** What became of the trajectory when this call returned. */
    public enum Outcome { ENDED, LEASE_LOST }

    public Outcome advance(UUID trajectoryId, String owner) {
        Trajectory trajectory = trajectories.find(trajectoryId).orElseThrow();
        GenerationRun run = runs.find(trajectory.runId()).orElseThrow();
        if (trajectory.status().ended()) {
            return Outcome.ENDED;
        }
        Task task = tasks.findById(trajectory.taskId()).orElseThrow();
        CodeSource source = sources.create(run.source());
        trajectories.markRunning(trajectoryId);
        runs.markRunning(run.id());
        Optional<Iteration> last = trajectories.lastIteration(trajectoryId);
        while (true) {
            if (last.isPresent() && last.get().verdict() == Verdict.PASSED) {
                String finalCode = last.get().code();
                boolean held = trajectories.underLease(trajectoryId, owner, () -> {
                    pairs.build(run, trajectory, task, trajectories.iterations(trajectoryId));
                    trajectories.finish(trajectoryId, TrajectoryStatus.PASSED, finalCode, null);
                });
                return ended(held, trajectoryId);
            }
            int next = last.map(i -> i.number() + 1).orElse(0);
            if (next >= run.maxIterations()) {
                return ended(trajectories.finish(trajectoryId, TrajectoryStatus.FAILED, null, null, owner), trajectoryId);
            }
            if (runs.status(run.id()).orElse(RunStatus.CANCELLED) == RunStatus.CANCELLED) {
                return ended(trajectories.finish(trajectoryId, TrajectoryStatus.CANCELLED, null, "run cancelled", owner),
                        trajectoryId);
            }
            Iteration iteration = step(run, task, trajectory, next, last, source);
            if (!trajectories.insertIteration(trajectoryId, iteration, owner)) {
                log.warn("lost the lease of trajectory {} before storing iteration {}", trajectoryId, next);
                return Outcome.LEASE_LOST;
            }
            log.debug("iteration {} of {}: {}", next, trajectoryId, iteration.verdict());
            record(run, iteration);
            last = Optional.of(iteration);
        }
    }

    /** ENDED when the lease was still held for the trajectory's last writes, LEASE_LOST when not. */
    private static Outcome ended(boolean leaseHeld, UUID trajectoryId) {
        if (!leaseHeld) {
            log.warn("lost the lease of trajectory {} before ending it: its new owner ends it", trajectoryId);
            return Outcome.LEASE_LOST;
        }
        return Outcome.ENDED;
    }

    private Iteration step(GenerationRun run, Task task, Trajectory trajectory, int number, Optional<Iteration> last,
                           CodeSource source) {
        long seed = mix(run.seed(), task.id(), trajectory.sample());
        GenerationContext context = new GenerationContext(task, trajectory.id(), trajectory.sample(), number, seed,
                last.map(Iteration::code).orElse(null), last.map(Iteration::feedback).orElse(null));
        long started = System.nanoTime();
        Generation generation = source.generate(context);
        long generated = System.nanoTime();
        ExecutionResult result = executor.run(task, generation.code());
        long executed = System.nanoTime();
        return new Iteration(number, generation.prompt(), generation.rawOutput(), generation.code(), generation.model(),
                result.verdict(), result.passed(), result.total(), result, result.feedback(),
                generation.promptTokens(), generation.completionTokens(), generation.trimmed(), (generated - started) / 1_000_000,
                (executed - generated) / 1_000_000, java.time.Instant.now());
    }

    private void record(GenerationRun run, Iteration iteration) {
        metrics.counter("iterpref.generator.iterations", "source", run.sourceType(), "verdict",
                iteration.verdict().name()).increment();
        metrics.timer("iterpref.generator.generation.duration", "source", run.sourceType())
                .record(java.time.Duration.ofMillis(iteration.generationMs()));
        metrics.timer("iterpref.generator.execution.duration").record(java.time.Duration.ofMillis(iteration.executionMs()));
    }

    /** The run's seed combined with the task and sample: each trajectory gets its own stream. */
    static long mix(long seed, UUID task, int sample) {
        long h = seed * 0x9E3779B97F4A7C15L;
        h ^= task.getMostSignificantBits() + 0x632BE59BD9B4E019L + (h << 6) + (h >>> 2);
        h ^= task.getLeastSignificantBits() + 0x85157AF5L + (h << 6) + (h >>> 2);
        return h ^ (sample * 0xC2B2AE3D27D4EB4FL);
    }
}

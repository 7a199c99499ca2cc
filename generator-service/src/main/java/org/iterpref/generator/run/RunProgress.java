package org.iterpref.generator.run;

import java.time.Instant;
import java.util.UUID;

/** A run with the counts of its trajectories by state: what GET and the SSE stream report. */
public record RunProgress(
        UUID id,
        String taskSet,
        String sourceType,
        String model,
        boolean synthetic,
        RunStatus status,
        int maxIterations,
        int samplesPerTask,
        long seed,
        Counts counts,
        long iterations,
        Timings timings,
        Instant createdAt,
        Instant finishedAt) {

    /**
     * Time spent on the run, summed: in the code source for the stored iterations (for bug injection
     * this includes checking mutants in the executor), in the executor running their tests, and by
     * job workers on its trajectories in all (the difference is orchestration: claiming, storing).
     */
    public record Timings(long generationMs, long executionMs, long workerMs) {
    }

    /** Trajectories by state. */
    public record Counts(int total, int queued, int running, int passed, int failed, int errored, int cancelled) {

        public boolean allEnded() {
            return queued == 0 && running == 0;
        }
    }
}

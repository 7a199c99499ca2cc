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
     * Time spent on the run's stored iterations, summed: in the code source (for bug injection this
     * includes checking mutants in the executor) and in the executor running the tests.
     */
    public record Timings(long generationMs, long executionMs) {
    }

    /** Trajectories by state. */
    public record Counts(int total, int queued, int running, int passed, int failed, int errored, int cancelled) {

        public boolean allEnded() {
            return queued == 0 && running == 0;
        }
    }
}

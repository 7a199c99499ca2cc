package org.iterpref.generator.trajectory;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Generate → execute → feed back → refine, for one task and sample of a run. {@code synthetic}
 * marks trajectories made by bug injection rather than a model. {@code iterations} is filled
 * when one trajectory is read, empty in listings.
 */
public record Trajectory(
        UUID id,
        UUID runId,
        UUID taskId,
        int sample,
        TrajectoryStatus status,
        boolean synthetic,
        int iterationCount,
        String finalCode,
        String error,
        Instant createdAt,
        Instant updatedAt,
        List<Iteration> iterations) {

    public Trajectory {
        iterations = iterations == null ? List.of() : List.copyOf(iterations);
    }

    public Trajectory withIterations(List<Iteration> all) {
        return new Trajectory(id, runId, taskId, sample, status, synthetic, iterationCount, finalCode, error, createdAt,
                updatedAt, all);
    }
}

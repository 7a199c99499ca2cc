package org.iterpref.generator.source;

import java.util.UUID;
import org.iterpref.generator.task.Task;

/**
 * Everything one iteration of a trajectory depends on. {@code seed} is the run's seed combined
 * with the task and sample, so a source can be deterministic per trajectory.
 */
public record GenerationContext(
        Task task,
        UUID trajectoryId,
        int sample,
        int iteration,
        long seed,
        String previousCode,
        String previousFeedback) {

    public boolean firstAttempt() {
        return iteration == 0;
    }
}

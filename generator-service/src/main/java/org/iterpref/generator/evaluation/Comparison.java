package org.iterpref.generator.evaluation;

import java.util.List;
import java.util.UUID;

/**
 * A candidate evaluation against a base one on the same tasks: per-task values of {@code metric}
 * and their deltas, the tasks fixed (no sample passed in the base, one did in the candidate) and
 * broken (the reverse), and the overall delta of the mean with a paired bootstrap interval.
 */
public record Comparison(
        UUID base,
        UUID candidate,
        String taskSet,
        String metric,
        double baseValue,
        double candidateValue,
        double delta,
        PairedBootstrap.Interval interval,
        List<String> fixed,
        List<String> broken,
        List<TaskDelta> tasks) {

    /** One task: the metric in both evaluations, and candidate minus base. */
    public record TaskDelta(UUID taskId, String externalId, double base, double candidate, double delta) {
    }
}

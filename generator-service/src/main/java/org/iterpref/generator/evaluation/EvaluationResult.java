package org.iterpref.generator.evaluation;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An evaluation as of one snapshot: what was asked, progress, per-task scores, pass@k over tasks
 * (the mean of the tasks' pass@k; null until every task has {@code n >= k}), the gate's verdict,
 * the model names the samples were stored with (as the server reported them), and durations.
 * {@code tasks} is empty in history listings.
 */
public record EvaluationResult(
        UUID id,
        UUID runId,
        String taskSet,
        String sourceType,
        String model,
        List<String> reportedModels,
        EvaluationStatus status,
        int samples,
        List<Integer> k,
        Double temperature,
        Integer maxTokens,
        long seed,
        Progress progress,
        Map<String, Double> passAtK,
        GateResult gate,
        String error,
        List<TaskScore> tasks,
        Instant createdAt,
        Instant finishedAt,
        Long durationMs) {

    /** Samples by state: {@code total} = tasks × samples. */
    public record Progress(int total, int queued, int running, int passed, int failed, int errored, int cancelled) {

        public int done() {
            return passed + failed + errored + cancelled;
        }
    }
}

package org.iterpref.generator.evaluation;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A stored evaluation: what was asked. Its samples are the trajectories of run {@code runId}. */
public record Evaluation(
        UUID id,
        UUID runId,
        String taskSet,
        String sourceType,
        String model,
        int samples,
        List<Integer> k,
        Double temperature,
        Integer maxTokens,
        long seed,
        String gateMetric,
        Double gateMin,
        Instant createdAt) {

    public boolean hasGate() {
        return gateMetric != null;
    }
}

package org.iterpref.generator.run;

import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** A run: every valid task of a set × samplesPerTask trajectories from one code source. */
public record GenerationRun(
        UUID id,
        String taskSet,
        JsonNode source,
        String sourceType,
        boolean synthetic,
        int maxIterations,
        int samplesPerTask,
        long seed,
        org.iterpref.generator.pair.PairPolicy pairPolicy,
        RunStatus status,
        Instant createdAt,
        Instant finishedAt) {
}

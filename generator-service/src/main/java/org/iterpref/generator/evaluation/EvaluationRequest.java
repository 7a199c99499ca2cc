package org.iterpref.generator.evaluation;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * {@code {"taskSet": "...", "source": {...}, "samples": 5, "k": [1, 5], "temperature": 0.8,
 * "maxTokens": 512, "seed": 1, "gate": {"metric": "pass@1", "min": 0.4}}}.
 *
 * @param source      as for generation runs ({@code openai} with a configured server and model,
 *                    {@code bug-injection}), or {@code {"type": "reference"}}: each task's reference
 *                    solution, which must score exactly 1.0
 * @param samples     single attempts per task, 1 to {@value EvaluationService#MAX_SAMPLES} (default 1)
 * @param k           the k of pass@k to report, each 1 to {@code samples} (default [1])
 * @param temperature for the openai source only: its sampling temperature (else the source's own)
 * @param maxTokens   for the openai source only: its completion token limit (else the source's own)
 * @param seed        the sampling seed (default 0): the same seed, source and tasks give the same samples
 *                    where the source is deterministic
 * @param gate        optional: the evaluation passes when {@code metric} (one of the reported
 *                    pass@k) is at least {@code min}
 */
public record EvaluationRequest(
        String taskSet,
        @Schema(description = "Code source, as for generation runs, or {\"type\": \"reference\"}") JsonNode source,
        Integer samples,
        List<Integer> k,
        Double temperature,
        Integer maxTokens,
        Long seed,
        Gate gate) {

    /** {@code {"metric": "pass@1", "min": 0.4}}. */
    public record Gate(String metric, Double min) {
    }
}

package org.iterpref.generator.evaluation;

import java.util.Map;
import java.util.UUID;

/**
 * One task's samples: {@code n} judged, {@code c} of them passed every test, {@code errored} that
 * could not be generated or judged, and pass@k for each k (null while {@code n < k}).
 */
public record TaskScore(UUID taskId, String externalId, int n, int c, int errored, Map<String, Double> passAtK) {
}

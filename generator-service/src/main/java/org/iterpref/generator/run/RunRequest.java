package org.iterpref.generator.run;

import tools.jackson.databind.JsonNode;

/**
 * {@code {"taskSet": "...", "source": {"type": "bug-injection"} | {"type": "openai", "baseUrl": ..., "model": ...},
 * "maxIterations": 5, "samplesPerTask": 1, "seed": 42, "pairPolicy": "last"}}; pairPolicy "last" (default) or
 * "all" picks which failing iterations of a passing trajectory become rejected sides of pairs.
 */
public record RunRequest(String taskSet, JsonNode source, Integer maxIterations, Integer samplesPerTask, Long seed,
                         String pairPolicy) {
}

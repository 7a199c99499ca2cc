package org.iterpref.generator.run;

import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

/**
 * {@code {"taskSet": "...", "source": {"type": "bug-injection"} | {"type": "openai", "server": NAME, "model": ...},
 * "maxIterations": 5, "samplesPerTask": 1, "seed": 42, "pairPolicy": "last"}}; pairPolicy "last" (default) or
 * "all" picks which failing iterations of a passing trajectory become rejected sides of pairs.
 *
 * <p>An {@code openai} source names a model server the operator configured
 * ({@code iterpref.generator.model-servers}) or, where the operator's allow-list permits, gives a
 * {@code baseUrl} with an inline {@code apiKey} (kept in memory only: never stored or echoed).
 * Prompt templates are inline text ({@code firstPrompt}, {@code refinePrompt}) or template names
 * ({@code firstPromptTemplate}, {@code refinePromptTemplate}), never paths.
 */
public record RunRequest(String taskSet,
                         @Schema(description = "Code source: {\"type\": \"bug-injection\"} or {\"type\": \"openai\", "
                                 + "\"server\": NAME (an operator-configured model server), \"model\": ..., \"temperature\", "
                                 + "\"topP\", \"maxTokens\", \"timeoutMs\", \"maxRetries\", \"systemPrompt\", "
                                 + "\"firstPrompt\"/\"refinePrompt\" (inline templates) or \"firstPromptTemplate\"/"
                                 + "\"refinePromptTemplate\" (template names)}; instead of server, an allow-listed "
                                 + "\"baseUrl\" with an optional inline \"apiKey\" (never stored)")
                         JsonNode source, Integer maxIterations, Integer samplesPerTask, Long seed,
                         String pairPolicy) {
}

package org.iterpref.generator.source;

/**
 * What a source produced for one iteration: the prompt it sent (for bug injection, a description
 * of the mutations), the raw output, the code extracted from it, the model, and token counts when
 * the server reported them.
 */
public record Generation(
        String prompt,
        String rawOutput,
        String code,
        String model,
        Integer promptTokens,
        Integer completionTokens) {
}

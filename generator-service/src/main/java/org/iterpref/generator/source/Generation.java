package org.iterpref.generator.source;

/**
 * What a source produced for one iteration: the prompt it sent (for bug injection, a description
 * of the mutations), the raw output, the code extracted from it, the model, and token counts when
 * the server reported them, and whether the prompt was trimmed to fit the model's context.
 */
public record Generation(
        String prompt,
        String rawOutput,
        String code,
        String model,
        Integer promptTokens,
        Integer completionTokens,
        boolean trimmed) {
}

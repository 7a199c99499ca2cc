package org.iterpref.generator.trajectory;

import java.time.Instant;
import org.iterpref.common.execution.ExecutionResult;
import org.iterpref.common.execution.Verdict;

/**
 * One step of a trajectory: what was asked, what came back, the code, and how it fared in the
 * executor (every test's result and the feedback the next step is given).
 *
 * @param trimmed whether the prompt was cut to fit the model's context (the feedback, then the
 *                previous code shortened; see the openai source's {@code PromptFitter})
 */
public record Iteration(
        int number,
        String prompt,
        String rawOutput,
        String code,
        String model,
        Verdict verdict,
        int passed,
        int total,
        ExecutionResult execution,
        String feedback,
        Integer promptTokens,
        Integer completionTokens,
        boolean trimmed,
        long generationMs,
        long executionMs,
        Instant createdAt) {
}

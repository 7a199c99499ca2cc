package org.iterpref.generator.task;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.iterpref.common.execution.TestCase;

/**
 * A coding task: what the model is asked ({@code prompt}), the tests its code must pass, and
 * optionally a reference solution (required by the bug-injection source). {@code externalId} is
 * the id in the task's origin (e.g. {@code HumanEval/0}); it is unique within its task set.
 */
public record Task(
        UUID id,
        String taskSet,
        String externalId,
        TaskFormat format,
        String language,
        String prompt,
        String entryPoint,
        String referenceSolution,
        List<TestCase> tests,
        TaskStatus status,
        String statusReason,
        Map<String, Object> metadata,
        Instant createdAt) {

    public Task {
        tests = List.copyOf(tests);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}

package org.iterpref.generator.task;

import java.util.List;
import java.util.Map;
import org.iterpref.common.execution.TestCase;

/**
 * A task as a client submits it. {@code id} is the task's own id within its set (generated when
 * absent); {@code referenceSolution} is optional but required by the bug-injection source.
 */
public record TaskRequest(String set, String id, String prompt, String entryPoint, String referenceSolution,
                          List<TestCase> tests, String language, Map<String, Object> metadata) {
}

package org.iterpref.generator.source.openai;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.iterpref.common.execution.TestCase;
import org.iterpref.generator.source.GenerationContext;
import org.iterpref.generator.task.Task;
import org.iterpref.generator.task.TaskFormat;
import org.iterpref.generator.task.TaskStatus;

/** A small HumanEval-like task and contexts over it. */
final class TestTasks {

    static final String PROMPT = "def add(a, b):\n    \"\"\"Return the sum of a and b.\"\"\"\n";
    static final UUID TRAJECTORY = UUID.fromString("00000000-0000-0000-0000-000000000042");

    private TestTasks() {
    }

    static Task task() {
        return new Task(UUID.fromString("00000000-0000-0000-0000-000000000001"), "humaneval", "HumanEval/X",
                TaskFormat.HUMANEVAL, "python", PROMPT, "add", "def add(a, b):\n    return a + b\n",
                List.of(TestCase.assertion("test_1", "assert add(1, 2) == 3")), TaskStatus.VALID, null,
                Map.of(), Instant.parse("2025-01-01T00:00:00Z"));
    }

    static GenerationContext context(int iteration, String previousCode, String previousFeedback) {
        return new GenerationContext(task(), TRAJECTORY, 0, iteration, 1234L + iteration, previousCode,
                previousFeedback);
    }
}

package org.iterpref.generator.source.buginjection;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.iterpref.common.execution.TestCase;
import org.iterpref.generator.task.Task;
import org.iterpref.generator.task.TaskFormat;
import org.iterpref.generator.task.TaskStatus;

/** Tasks for the bug-injection tests. */
final class Tasks {

    /** A reference with many mutation sites and tests strong enough to catch most of them. */
    static final String SCORE = String.join("\n",
            "def weighted_score(values, weights, limit):",
            "    \"\"\"Mean of value * weight over the values not above limit (0 when none).\"\"\"",
            "    total = 0",
            "    count = 0",
            "    for i in range(len(values)):",
            "        if values[i] > limit:",
            "            continue",
            "        total += values[i] * weights[i]",
            "        count += 1",
            "    if count == 0:",
            "        return 0",
            "    return total // count",
            "");

    static final String[] SCORE_TESTS = {
        "assert weighted_score([1, 2, 3], [1, 1, 1], 10) == 2",
        "assert weighted_score([5, 1, 7, 2], [2, 3, 1, 4], 6) == 7",
        "assert weighted_score([9], [1], 3) == 0",
        "assert weighted_score([], [], 3) == 0",
        "assert weighted_score([4, 4], [3, 1], 4) == 8",
        "assert weighted_score([2, 8, 3], [5, 1, 1], 3) == 6",
    };

    private Tasks() {
    }

    static Task task(String reference, String... asserts) {
        List<TestCase> tests = new ArrayList<>();
        for (int i = 0; i < asserts.length; i++) {
            tests.add(TestCase.assertion("t" + (i + 1), asserts[i]));
        }
        return new Task(UUID.randomUUID(), "set", "ext-1", TaskFormat.ITERPREF, "python", "prompt", "entry",
                reference, tests, TaskStatus.VALID, null, Map.of(), Instant.now());
    }

    static Task scoreTask() {
        return task(SCORE, SCORE_TESTS);
    }
}

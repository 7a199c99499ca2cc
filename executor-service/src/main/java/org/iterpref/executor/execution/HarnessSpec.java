package org.iterpref.executor.execution;

import java.util.List;
import java.util.Map;
import org.iterpref.common.execution.ExecutionRequest;
import org.iterpref.common.execution.TestCase;
import org.iterpref.common.execution.TestStyle;
import org.iterpref.executor.runtime.ResolvedLimits;
import org.iterpref.executor.sandbox.Sandbox;

/**
 * The JSON document a harness reads on stdin. {@code skip} lists tests already reported by an
 * earlier attempt of the same execution (after a test killed the harness).
 */
record HarnessSpec(
        String code,
        List<Map<String, Object>> tests,
        Map<String, Object> limits,
        boolean stopOnFirstFailure,
        boolean ownPidNamespace,
        boolean limitProcesses,
        List<String> skip) {

    /** Time the harness leaves, after its budget, for the sandbox to end before its outer deadline. */
    static final long BUDGET_MARGIN_MS = 5_000;

    static HarnessSpec of(ExecutionRequest request, ResolvedLimits limits, Sandbox sandbox, List<String> skip) {
        List<Map<String, Object>> tests = request.tests().stream().map(HarnessSpec::test).toList();
        Map<String, Object> limitMap = Map.of(
                "budgetMs", Math.max(1_000L, limits.totalWallTimeMs() - BUDGET_MARGIN_MS),
                "wallTimeMs", limits.wallTimeMs(),
                "memoryMb", limits.memoryMb(),
                "maxProcesses", limits.maxProcesses(),
                "maxOutputBytes", limits.maxOutputBytes(),
                "maxFileBytes", limits.maxFileBytes());
        return new HarnessSpec(request.code(), tests, limitMap, request.stopsOnFirstFailure(),
                sandbox.ownPidNamespace(), !sandbox.capsProcessesItself(), List.copyOf(skip));
    }

    /** The spec as plain maps and lists, for the runtime to encode. */
    Map<String, Object> toMap() {
        Map<String, Object> map = new java.util.LinkedHashMap<>();
        map.put("code", code);
        map.put("tests", tests);
        map.put("limits", limits);
        map.put("stopOnFirstFailure", stopOnFirstFailure);
        map.put("ownPidNamespace", ownPidNamespace);
        map.put("limitProcesses", limitProcesses);
        map.put("skip", skip);
        return map;
    }

    private static Map<String, Object> test(TestCase test) {
        TestStyle style = test.style().orElseThrow();
        return switch (style) {
            case ASSERT -> Map.of("name", test.name(), "kind", "assert", "code", test.code());
            case STDIO -> Map.of("name", test.name(), "kind", "stdio",
                    "stdin", test.stdin() == null ? "" : test.stdin(), "expectedStdout", test.expectedStdout());
            case UNITTEST -> Map.of("name", test.name(), "kind", "unittest", "unittest", test.unittest());
        };
    }
}

package org.iterpref.executor.execution;

import org.iterpref.common.problem.InvalidRequestException;
import org.iterpref.common.problem.FieldError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.iterpref.common.execution.BatchExecutionRequest;
import org.iterpref.common.execution.ExecutionLimits;
import org.iterpref.common.execution.ExecutionRequest;
import org.iterpref.common.execution.TestCase;
import org.iterpref.executor.config.ExecutorProperties;
import org.iterpref.executor.runtime.ResolvedLimits;
import org.iterpref.executor.runtime.RuntimeRegistry;

/**
 * Checks a request against the contract and the operator's caps, and resolves its limits.
 * Size caps give 413, everything else 400; every error names the field at fault.
 */
public final class ExecutionRequestValidator {

    static final int MAX_NAME_CHARS = 200;

    private final ExecutorProperties.Limits caps;
    private final RuntimeRegistry runtimes;

    public ExecutionRequestValidator(ExecutorProperties.Limits caps, RuntimeRegistry runtimes) {
        this.caps = caps;
        this.runtimes = runtimes;
    }

    public ResolvedLimits validate(ExecutionRequest request) {
        Errors errors = new Errors();
        if (request == null) {
            errors.invalid("body", "a JSON object is required");
            errors.throwIfAny();
        }
        ResolvedLimits limits = check(request, "", errors);
        errors.throwIfAny();
        return limits;
    }

    public List<ResolvedLimits> validate(BatchExecutionRequest batch) {
        Errors errors = new Errors();
        if (batch == null || batch.executions() == null) {
            errors.invalid("executions", "is required");
            errors.throwIfAny();
        }
        List<ExecutionRequest> executions = batch.executions();
        if (executions.isEmpty()) {
            errors.invalid("executions", "must hold at least one execution");
        } else if (executions.size() > caps.maxBatch()) {
            errors.tooLarge("executions", "holds " + executions.size() + " executions; at most " + caps.maxBatch());
        }
        errors.throwIfAny();
        List<ResolvedLimits> limits = new ArrayList<>();
        for (int i = 0; i < executions.size(); i++) {
            String prefix = "executions[" + i + "].";
            if (executions.get(i) == null) {
                errors.invalid("executions[" + i + "]", "must be an object");
                continue;
            }
            limits.add(check(executions.get(i), prefix, errors));
        }
        errors.throwIfAny();
        return limits;
    }

    private ResolvedLimits check(ExecutionRequest request, String prefix, Errors errors) {
        if (request.language() == null || request.language().isBlank()) {
            errors.invalid(prefix + "language", "is required; supported: " + runtimes.languages());
        } else if (runtimes.find(request.language()).isEmpty()) {
            errors.invalid(prefix + "language", "unknown language '" + clip(request.language())
                    + "'; supported: " + runtimes.languages());
        }
        if (request.code() == null) {
            errors.invalid(prefix + "code", "is required");
        } else {
            checkSize(prefix + "code", request.code(), caps.maxCodeBytes(), errors);
        }
        checkTests(request.tests(), prefix + "tests", errors);
        ResolvedLimits limits = resolve(request.limits(), prefix + "limits", errors);
        // the deadline of the whole execution is the configured cap, whatever the tests: the
        // harness enforces each test's own limits and stops starting tests when the cap is
        // near, so no count of the request's test methods is guessed from its text
        return limits.withTotalWallTimeMs(caps.maxTotalWallTimeMs());
    }

    private void checkTests(List<TestCase> tests, String field, Errors errors) {
        if (tests == null || tests.isEmpty()) {
            errors.invalid(field, "at least one test is required");
            return;
        }
        if (tests.size() > caps.maxTests()) {
            errors.tooLarge(field, "holds " + tests.size() + " tests; at most " + caps.maxTests());
            return;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tests.size(); i++) {
            TestCase test = tests.get(i);
            String at = field + "[" + i + "]";
            if (test == null) {
                errors.invalid(at, "must be an object");
                continue;
            }
            if (test.name() == null || test.name().isBlank()) {
                errors.invalid(at + ".name", "is required");
            } else if (test.name().length() > MAX_NAME_CHARS) {
                errors.invalid(at + ".name", "is longer than " + MAX_NAME_CHARS + " characters");
            } else if (!names.add(test.name())) {
                errors.invalid(at + ".name", "duplicate test name '" + clip(test.name()) + "'");
            }
            if (test.style().isEmpty()) {
                errors.invalid(at, "set exactly one of: code (assert-style), expectedStdout (with optional stdin),"
                        + " unittest");
            }
            checkSize(at + ".code", test.code(), caps.maxTestBytes(), errors);
            checkSize(at + ".stdin", test.stdin(), caps.maxTestBytes(), errors);
            checkSize(at + ".expectedStdout", test.expectedStdout(), caps.maxTestBytes(), errors);
            checkSize(at + ".unittest", test.unittest(), caps.maxTestBytes(), errors);
        }
    }

    private ResolvedLimits resolve(ExecutionLimits requested, String field, Errors errors) {
        ExecutorProperties.LimitValues d = caps.defaults();
        ExecutorProperties.LimitValues max = caps.maximums();
        ExecutionLimits given = requested == null ? ExecutionLimits.defaults() : requested;
        int wall = range(field + ".wallTimeMs", given.wallTimeMs(), d.wallTimeMs(), 100, max.wallTimeMs(), errors);
        int memory = range(field + ".memoryMb", given.memoryMb(), d.memoryMb(), 32, max.memoryMb(), errors);
        int processes = range(field + ".maxProcesses", given.maxProcesses(), d.maxProcesses(), 1,
                max.maxProcesses(), errors);
        int output = range(field + ".maxOutputBytes", given.maxOutputBytes(), d.maxOutputBytes(), 1,
                max.maxOutputBytes(), errors);
        return new ResolvedLimits(wall, memory, processes, output, caps.workdirMb(), caps.maxTotalWallTimeMs());
    }

    private static int range(String field, Integer value, int fallback, int min, int max, Errors errors) {
        if (value == null) {
            return fallback;
        }
        if (value < min || value > max) {
            errors.invalid(field, "must be between " + min + " and " + max + " (was " + value + ")");
            return fallback;
        }
        return value;
    }

    private static void checkSize(String field, String value, int maxBytes, Errors errors) {
        if (value == null) {
            return;
        }
        // UTF-8 is at most 3 bytes per UTF-16 unit: only long strings need the exact count
        if ((long) value.length() * 3 > maxBytes && value.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            errors.tooLarge(field, "is larger than " + maxBytes + " bytes");
        }
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static final class Errors {
        private final List<FieldError> list = new ArrayList<>();
        private boolean tooLarge;

        void invalid(String field, String message) {
            list.add(new FieldError(field, message));
        }

        void tooLarge(String field, String message) {
            list.add(new FieldError(field, message));
            tooLarge = true;
        }

        void throwIfAny() {
            if (!list.isEmpty()) {
                throw new InvalidRequestException(list, tooLarge);
            }
        }
    }
}

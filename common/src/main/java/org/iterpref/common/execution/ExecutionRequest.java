package org.iterpref.common.execution;

import java.util.List;

/** A program and the tests to run it against. */
public record ExecutionRequest(
        String language, String code, List<TestCase> tests, ExecutionLimits limits, Boolean stopOnFirstFailure) {

    public ExecutionRequest {
        tests = tests == null ? null : List.copyOf(tests);
    }

    public boolean stopsOnFirstFailure() {
        return Boolean.TRUE.equals(stopOnFirstFailure);
    }
}

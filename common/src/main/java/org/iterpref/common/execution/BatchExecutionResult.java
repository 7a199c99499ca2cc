package org.iterpref.common.execution;

import java.util.List;

/** Results of a {@link BatchExecutionRequest}, in request order. */
public record BatchExecutionResult(List<ExecutionResult> results) {

    public BatchExecutionResult {
        results = List.copyOf(results);
    }
}

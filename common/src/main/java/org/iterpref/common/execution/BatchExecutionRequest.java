package org.iterpref.common.execution;

import java.util.List;

/** Several independent executions; results come back in the same order. */
public record BatchExecutionRequest(List<ExecutionRequest> executions) {
}

package org.iterpref.common.execution;

/**
 * Outcome of one test, or of a whole execution.
 *
 * <p>{@link #SANDBOX_ERROR} is an infrastructure failure, not the program's fault: callers
 * should retry rather than count it against the code.
 */
public enum Verdict {
    PASSED,
    FAILED,
    ERROR,
    TIMEOUT,
    MEMORY_LIMIT,
    OUTPUT_LIMIT,
    SANDBOX_ERROR;

    public boolean passed() {
        return this == PASSED;
    }
}

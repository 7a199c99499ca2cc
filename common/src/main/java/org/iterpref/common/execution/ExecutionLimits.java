package org.iterpref.common.execution;

/**
 * Resource limits of one execution. Any field may be null in a request, meaning "the
 * service's default". {@code wallTimeMs} applies to each test (and to the solution's own
 * top-level code), {@code memoryMb} is the address space of each process,
 * {@code maxProcesses} counts every process of the sandbox, {@code maxOutputBytes} caps
 * stdout and stderr of each test.
 */
public record ExecutionLimits(Integer wallTimeMs, Integer memoryMb, Integer maxProcesses, Integer maxOutputBytes) {

    public static ExecutionLimits defaults() {
        return new ExecutionLimits(null, null, null, null);
    }

    /** This, with each missing field taken from {@code fallback}. */
    public ExecutionLimits orElse(ExecutionLimits fallback) {
        return new ExecutionLimits(
                wallTimeMs != null ? wallTimeMs : fallback.wallTimeMs,
                memoryMb != null ? memoryMb : fallback.memoryMb,
                maxProcesses != null ? maxProcesses : fallback.maxProcesses,
                maxOutputBytes != null ? maxOutputBytes : fallback.maxOutputBytes);
    }
}

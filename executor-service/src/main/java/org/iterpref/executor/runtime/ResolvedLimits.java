package org.iterpref.executor.runtime;

/**
 * Limits of one execution after defaults were applied and maximums checked.
 * {@code totalWallTimeMs} is the deadline of the whole execution, after which the sandbox is
 * killed; {@code workdirMb} the size of its private tmpfs (and the largest file it may write).
 */
public record ResolvedLimits(
        int wallTimeMs, int memoryMb, int maxProcesses, int maxOutputBytes, int workdirMb, long totalWallTimeMs) {

    public long maxFileBytes() {
        return (long) workdirMb * 1024 * 1024;
    }

    public ResolvedLimits withTotalWallTimeMs(long total) {
        return new ResolvedLimits(wallTimeMs, memoryMb, maxProcesses, maxOutputBytes, workdirMb, total);
    }
}

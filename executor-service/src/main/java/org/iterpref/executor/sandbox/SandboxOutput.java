package org.iterpref.executor.sandbox;

/**
 * What came out of a sandbox: the harness's protocol stream (capped), its stderr (capped),
 * its exit code, whether the sandbox was killed at the execution deadline, and whether the
 * kernel's OOM killer ended a process of the sandbox (the harness, when it did not finish).
 */
public record SandboxOutput(int exitCode, byte[] stdout, String stderr, boolean deadlineExceeded,
                            boolean stdoutTruncated, boolean memoryLimitExceeded) {

    /** Output of a sandbox that cannot tell whether it ran out of memory. */
    public SandboxOutput(int exitCode, byte[] stdout, String stderr, boolean deadlineExceeded,
                         boolean stdoutTruncated) {
        this(exitCode, stdout, stderr, deadlineExceeded, stdoutTruncated, false);
    }
}

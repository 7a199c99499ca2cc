package org.iterpref.executor.sandbox;

/**
 * What came out of a sandbox: the harness's protocol stream (capped), its stderr (capped),
 * its exit code, and whether the sandbox was killed at the execution deadline.
 */
public record SandboxOutput(int exitCode, byte[] stdout, String stderr, boolean deadlineExceeded,
                            boolean stdoutTruncated) {
}

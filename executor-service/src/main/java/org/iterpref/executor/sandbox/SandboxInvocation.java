package org.iterpref.executor.sandbox;

import org.iterpref.executor.runtime.LanguageRuntime;
import org.iterpref.executor.runtime.ResolvedLimits;

/**
 * One run of a harness: the runtime, the spec it reads on stdin, the limits the sandbox
 * enforces from outside, and the most bytes of protocol output to keep.
 */
public record SandboxInvocation(
        String executionId, LanguageRuntime runtime, byte[] spec, ResolvedLimits limits, int maxStdoutBytes) {
}

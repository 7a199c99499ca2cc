package org.iterpref.executor.sandbox;

import java.nio.ByteBuffer;
import java.util.Map;
import org.iterpref.executor.runtime.LanguageRuntime;
import org.iterpref.executor.runtime.ResolvedLimits;

/**
 * One run of a harness: the runtime, the spec it reads (as plain maps and lists; the sandbox
 * adds what it needs and has the runtime encode it), the limits the sandbox enforces from
 * outside, and the most bytes of protocol output to keep.
 */
public record SandboxInvocation(
        String executionId, LanguageRuntime runtime, Map<String, Object> spec, ResolvedLimits limits,
        int maxStdoutBytes) {

    /** The spec in the runtime's wire format, with {@code extra} entries added. */
    public byte[] encodedSpec(Map<String, Object> extra) {
        if (extra.isEmpty()) {
            return runtime.encodeSpec(spec);
        }
        Map<String, Object> merged = new java.util.LinkedHashMap<>(spec);
        merged.putAll(extra);
        return runtime.encodeSpec(merged);
    }

    /**
     * The spec as a harness reads it from its stdin: a 4-byte big-endian length, then the
     * encoded spec. The frame tells the harness where the spec ends, so it never waits for EOF.
     */
    public byte[] framedSpec() {
        byte[] spec = encodedSpec(Map.of());
        return ByteBuffer.allocate(Integer.BYTES + spec.length).putInt(spec.length).put(spec).array();
    }
}

package org.iterpref.executor.execution;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** One JSON line of the harness protocol (see {@code runtime/python/harness.py}). */
@JsonIgnoreProperties(ignoreUnknown = true)
record HarnessEvent(
        String event,
        String name,
        List<String> names,
        String verdict,
        String message,
        Long timeMs,
        Long cpuTimeMs,
        Long peakMemoryKb,
        Integer exitCode,
        String stdout,
        String stderr,
        List<String> skipped,
        List<String> suspicious) {
}

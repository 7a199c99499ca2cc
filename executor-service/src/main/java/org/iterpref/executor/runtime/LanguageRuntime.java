package org.iterpref.executor.runtime;

import java.nio.file.Path;
import java.util.List;

/**
 * A language the executor can run: its interpreter on the host, the host directories that
 * interpreter needs (mounted read-only into a sandbox) and the harness program that runs a
 * solution's tests inside the sandbox and reports per-test events as JSON lines.
 */
public interface LanguageRuntime {

    /** Name used in requests, e.g. {@code python}. */
    String language();

    /** Interpreter on the host (used by bubblewrap and the unsandboxed runner). */
    String interpreter();

    /** Host directories outside the system ones that the interpreter needs, read-only. */
    List<Path> extraReadOnlyRoots();

    /** Files a sandbox mounts read-only next to the harness (the harness itself included), by name. */
    java.util.Map<String, byte[]> sandboxFiles();

    /**
     * Command line of a fork server in {@code dir} (where the sandbox files are), or empty when
     * this runtime has none. A fork server reads specs as frames (4-byte big-endian length, then
     * the encoded spec) and answers each with D frames of harness output and an X frame of JSON
     * with the exit code.
     */
    List<String> forkServerCommand(String interpreter, String dir);

    /** File name of the harness, e.g. {@code harness.py}. */
    String harnessFileName();

    /** Source of the harness. */
    byte[] harnessSource();

    /** The spec document in the form this runtime's harness reads on stdin. */
    byte[] encodeSpec(java.util.Map<String, Object> spec);

    /** Command line that runs the harness at {@code harnessPath} with {@code interpreter}. */
    List<String> harnessCommand(String interpreter, String harnessPath, boolean filterSystemCalls);
}

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

    /** File name of the harness, e.g. {@code harness.py}. */
    String harnessFileName();

    /** Source of the harness. */
    byte[] harnessSource();

    /** Command line that runs the harness at {@code harnessPath} with {@code interpreter}. */
    List<String> harnessCommand(String interpreter, String harnessPath);
}

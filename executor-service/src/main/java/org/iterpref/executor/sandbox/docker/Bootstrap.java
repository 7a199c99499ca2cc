package org.iterpref.executor.sandbox.docker;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.iterpref.executor.sandbox.SandboxInvocation;

/**
 * How the harness gets into a container that mounts nothing of the host: a small program given
 * with {@code python -I -B -c} reads the harness from the attached stdin and runs it.
 *
 * <p>Stdin layout: a 10-digit decimal harness length, the harness source, then the spec framed
 * as a 4-byte big-endian length and the encoded spec ({@link SandboxInvocation#framedSpec()}).
 * The bootstrap reads only the first two with {@code os.read} (never through sys.stdin, whose
 * buffer would swallow the spec), so fd 0 is left positioned at the spec frame, which the harness
 * reads itself. docker-java cannot half-close an attached stdin: nothing may wait for EOF.
 */
final class Bootstrap {

    static final int LENGTH_DIGITS = 10;
    /** The container's workdir: a tmpfs, not the container's working directory (see DockerSandbox#hostConfig). */
    static final String WORKDIR = "/work";

    /**
     * Changes into the workdir, then runs the harness as {@code __main__}, compiled as
     * {@code harness.py} (its frames stay out of tracebacks).
     */
    static final String SOURCE = String.join("\n",
            "import os",
            "os.chdir('" + WORKDIR + "')",
            "def _iterpref_read(n):",
            "    buf = bytearray()",
            "    while len(buf) < n:",
            "        chunk = os.read(0, n - len(buf))",
            "        if not chunk:",
            "            raise SystemExit('iterpref bootstrap: stdin ended after %d of %d bytes' % (len(buf), n))",
            "        buf += chunk",
            "    return bytes(buf)",
            "_iterpref_harness = compile(_iterpref_read(int(_iterpref_read(" + LENGTH_DIGITS + "))), 'harness.py', 'exec')",
            "del _iterpref_read",
            "exec(_iterpref_harness)",
            "");

    private Bootstrap() {
    }

    static List<String> command(String interpreter) {
        return List.of(interpreter, "-I", "-B", "-c", SOURCE);
    }

    /** The harness length, the harness, then the framed spec. */
    static byte[] stdin(SandboxInvocation invocation) {
        byte[] harness = invocation.runtime().harnessSource();
        byte[] spec = invocation.framedSpec();
        byte[] header = String.format("%0" + LENGTH_DIGITS + "d", harness.length).getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream data = new ByteArrayOutputStream(header.length + harness.length + spec.length);
        data.writeBytes(header);
        data.writeBytes(harness);
        data.writeBytes(spec);
        return data.toByteArray();
    }
}

package org.iterpref.executor.sandbox.unsandboxed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.iterpref.executor.sandbox.ProcessRunner;
import org.iterpref.executor.sandbox.Sandbox;
import org.iterpref.executor.sandbox.SandboxInvocation;
import org.iterpref.executor.sandbox.SandboxOutput;

/**
 * Development only: runs the harness as a plain child process of the service, with the
 * harness's own rlimits as its only protection. The program can read and write anything the
 * service can, and reach the network. Enabled only by two explicit properties.
 */
public final class UnsandboxedRunner implements Sandbox {

    private final ProcessRunner runner;

    public UnsandboxedRunner(ProcessRunner runner) {
        this.runner = runner;
    }

    @Override
    public String name() {
        return "unsandboxed";
    }

    @Override
    public boolean ownPidNamespace() {
        return false;
    }

    @Override
    public SandboxOutput run(SandboxInvocation invocation) {
        Path workdir = null;
        try {
            workdir = Files.createTempDirectory("iterpref-unsandboxed-");
            Path harness = workdir.resolve(invocation.runtime().harnessFileName());
            Files.write(harness, invocation.runtime().harnessSource());
            var command = invocation.runtime().harnessCommand(invocation.runtime().interpreter(), harness.toString(), false);
            return runner.run(command, Map.of("PATH", "/usr/bin:/bin", "HOME", workdir.toString(),
                            "PYTHONHASHSEED", "0", "LANG", "C.UTF-8"),
                    workdir, invocation.framedSpec(), invocation.limits().totalWallTimeMs(), invocation.maxStdoutBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(workdir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp dir is harmless
        }
    }
}

package org.iterpref.executor.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts a sandbox process, feeds it its spec, reads stdout and stderr with hard byte caps
 * and kills it (and, through the sandbox's own mechanisms, its whole process tree) at a
 * deadline. Shared by the process-based backends.
 */
public final class ProcessRunner {

    private static final int MAX_STDERR_BYTES = 64 * 1024;

    private final ExecutorService ioThreads;

    public ProcessRunner(ExecutorService ioThreads) {
        this.ioThreads = ioThreads;
    }

    public SandboxOutput run(List<String> command, Map<String, String> environment, java.nio.file.Path directory,
                             byte[] stdin, long deadlineMs, int maxStdoutBytes) {
        ProcessBuilder builder = new ProcessBuilder(command);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        if (environment != null) {
            builder.environment().clear();
            builder.environment().putAll(environment);
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new SandboxException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
        try {
            CompletableFuture<Capped> out = CompletableFuture.supplyAsync(
                    () -> drain(process.getInputStream(), maxStdoutBytes), ioThreads);
            CompletableFuture<Capped> err = CompletableFuture.supplyAsync(
                    () -> drain(process.getErrorStream(), MAX_STDERR_BYTES), ioThreads);
            CompletableFuture<Void> in = CompletableFuture.runAsync(() -> feed(process.getOutputStream(), stdin),
                    ioThreads);
            boolean finished = process.waitFor(deadlineMs, TimeUnit.MILLISECONDS);
            if (!finished) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            in.cancel(true);
            Capped stdout = out.get(10, TimeUnit.SECONDS);
            Capped stderr = err.get(10, TimeUnit.SECONDS);
            int exit = process.isAlive() ? -1 : process.exitValue();
            return new SandboxOutput(exit, stdout.bytes(), new String(stderr.bytes(), StandardCharsets.UTF_8),
                    !finished, stdout.truncated());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while waiting for the sandbox", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new SandboxException("could not read the sandbox's output: " + e.getMessage(), e);
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    private static void feed(OutputStream stdin, byte[] data) {
        try (stdin) {
            stdin.write(data);
        } catch (IOException ignored) {
            // the process exited before reading its spec; its exit code tells why
        }
    }

    /** Reads a stream to its end, keeping at most {@code cap} bytes. */
    private static Capped drain(InputStream stream, int cap) {
        ByteArrayOutputStream kept = new ByteArrayOutputStream(Math.min(cap, 8192));
        byte[] buffer = new byte[8192];
        boolean truncated = false;
        try (stream) {
            int n;
            while ((n = stream.read(buffer)) >= 0) {
                int room = cap - kept.size();
                if (room > 0) {
                    kept.write(buffer, 0, Math.min(room, n));
                }
                truncated |= n > room;
            }
        } catch (IOException ignored) {
            // the stream closes when the process is killed
        }
        return new Capped(kept.toByteArray(), truncated);
    }

    private record Capped(byte[] bytes, boolean truncated) {
    }
}

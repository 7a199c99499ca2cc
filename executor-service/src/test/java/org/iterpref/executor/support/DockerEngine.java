package org.iterpref.executor.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.iterpref.executor.sandbox.docker.DockerSandbox;
import org.iterpref.executor.sandbox.docker.DockerSettings;

/**
 * A Docker engine with the offline sandbox image, for the tests that run through it. Where no
 * engine answers or the image is missing, runs {@code scripts/docker-engine.sh} (which installs
 * and starts dockerd and builds the image from Debian packages), once per JVM; the tests fail
 * with its output when it fails. They are never skipped.
 */
public final class DockerEngine {

    /** The sandbox image; {@code -Diterpref.test.docker.image=...} for another one with python3. */
    public static final String IMAGE =
            System.getProperty("iterpref.test.docker.image", "iterpref/sandbox-python:bookworm");
    /** The interpreter inside {@link #IMAGE}. */
    public static final String INTERPRETER = System.getProperty("iterpref.test.docker.interpreter", "/usr/bin/python3");
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(15);

    private DockerEngine() {
    }

    /** Returns once the engine answers and has {@link #IMAGE}; throws {@link AssertionError} with the reason otherwise. */
    public static void require() {
        String failure = Once.FAILURE;
        if (failure != null) {
            throw new AssertionError(failure);
        }
    }

    /** Settings for a sandbox on the local engine with {@link #IMAGE}. */
    public static DockerSettings settings(int uidBase, int uidCount) {
        return new DockerSettings("", IMAGE, INTERPRETER, uidBase, uidCount, Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofMinutes(10));
    }

    /** Class initialisation runs this once per JVM, thread-safely; null when ready. */
    private static final class Once {
        static final String FAILURE = prepare();
    }

    private static String prepare() {
        if (ready()) {
            return null;
        }
        Path script = script();
        if (script == null) {
            return "no Docker engine with image " + IMAGE + " and no scripts/docker-engine.sh above "
                    + Path.of("").toAbsolutePath();
        }
        System.out.println("DockerEngine: no engine answers or image " + IMAGE + " is missing; running " + script);
        try {
            Path log = Files.createTempFile("iterpref-docker-engine-", ".log");
            ProcessBuilder builder = new ProcessBuilder("bash", script.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("SANDBOX_IMAGE", IMAGE);
            Process process = builder.start();
            process.getOutputStream().close();
            if (!process.waitFor(SCRIPT_TIMEOUT.toMinutes(), TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return script + " took longer than " + SCRIPT_TIMEOUT.toMinutes() + " min:\n" + read(log);
            }
            String output = read(log);
            System.out.println(output);
            if (process.exitValue() != 0) {
                return script + " failed (exit status " + process.exitValue() + "):\n" + output;
            }
            return ready() ? null : script + " succeeded, yet no engine answers with image " + IMAGE + ":\n" + output;
        } catch (IOException e) {
            return "cannot run " + script + ": " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while running " + script;
        }
    }

    /** Whether the engine answers and has the image (through the same client the sandbox uses). */
    private static boolean ready() {
        ExecutorService threads = Executors.newCachedThreadPool();
        try (DockerSandbox sandbox = new DockerSandbox(settings(65000, 1), threads)) {
            return sandbox.unavailableReason().isEmpty() && sandbox.hasImage();
        } catch (RuntimeException e) {
            return false;
        } finally {
            threads.shutdownNow();
        }
    }

    private static Path script() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("scripts/docker-engine.sh");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static String read(Path log) throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }
}

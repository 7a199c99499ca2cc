package org.iterpref.generator.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A generator instance in a JVM of its own (a separate OS process, started from this test JVM's
 * java binary and classpath, main {@link ParentBoundGenerator}) on a free loopback port, against a database of {@link SharedPostgres}
 * and the {@link SharedExecutor}. Its output goes to a log file of its own; {@link #kill} ends it
 * with SIGKILL, as a crash would, with no shutdown hook, no graceful stop and no lease released.
 */
public final class GeneratorProcess implements AutoCloseable {

    /** The exit status Java reports for a process that SIGKILL (signal 9) ended: 128 + 9. */
    public static final int KILLED_BY_SIGKILL = 128 + 9;
    /** The exit status of a JVM that SIGTERM (signal 15) stopped: 128 + 15. */
    public static final int STOPPED_BY_SIGTERM = 128 + 15;

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    /** Every process started here and not yet killed: a test JVM that is stopped kills them on its way out. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(process -> {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }), "kill-generator-processes"));
    }

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;

    private GeneratorProcess(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code name} (also its job lease owner) on {@code database} with {@code args} added to the
     * generator's; returns at once, see {@link #awaitReady}.
     */
    public static GeneratorProcess start(String name, String database, Path logDir, List<String> args) {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx384m", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), ParentBoundGenerator.class.getName(),
                "--server.address=127.0.0.1", "--server.port=" + port, "--spring.profiles.active=test",
                "--spring.datasource.url=" + SharedPostgres.jdbcUrl(database),
                "--spring.datasource.username=" + SharedPostgres.user(),
                "--spring.datasource.password=" + SharedPostgres.password(),
                "--spring.datasource.hikari.maximum-pool-size=5",
                "--iterpref.generator.executor.base-url=" + SharedExecutor.baseUrl(),
                "--iterpref.generator.instance-id=" + name,
                "--logging.level.org.iterpref.generator=INFO"));
        command.addAll(args);
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
            LIVE.add(process);
            return new GeneratorProcess(name, port, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start generator process " + name, e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public GeneratorClient client() {
        return new GeneratorClient(port);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until {@link #isReady}; fails if the process exits first. */
    public GeneratorProcess awaitReady() {
        await().atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .failFast(name + " exited before it was ready", () -> !process.isAlive())
                .until(this::isReady);
        return this;
    }

    /** Whether {@code /actuator/health/readiness} answers UP now. */
    public boolean isReady() {
        HttpRequest readiness = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/actuator/health/readiness")).timeout(Duration.ofSeconds(5)).GET().build();
        try {
            HttpResponse<String> reply = HTTP.send(readiness, HttpResponse.BodyHandlers.ofString());
            return reply.statusCode() == 200 && reply.body().contains("\"UP\"");
        } catch (IOException notListening) {
            return false; // starting (the port opens late), or dead
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Ends the process, and any it started, with SIGKILL ({@link Process#destroyForcibly()} on Linux)
     * and waits for it; returns its exit status, {@link #KILLED_BY_SIGKILL} when SIGKILL ended it.
     */
    public int kill() {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + process.pid() + ") outlived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        LIVE.remove(process);
        return process.exitValue();
    }

    /**
     * Stops the process with SIGTERM ({@link Process#destroy()}): the JVM runs its shutdown hooks and
     * Spring stops gracefully. Returns its exit status, 128 + 15 when SIGTERM ended it.
     */
    public int stop() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                return kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        LIVE.remove(process);
        return process.exitValue();
    }

    /** Whether the log shows the graceful stop of the job worker (which a SIGKILL never lets run). */
    public boolean loggedGracefulStop() {
        return logText().contains("job worker " + name + " stopped");
    }

    /** The last {@code lines} lines of the process's output, headed by its name and pid. */
    public String logTail(int lines) {
        List<String> all = logText().lines().toList();
        return "----- " + name + " (pid " + process.pid() + ", " + log + "), last " + lines + " lines -----\n"
                + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Kills the process if it still runs: nothing started here outlives the test. */
    @Override
    public void close() {
        if (process.isAlive() || process.descendants().findAny().isPresent()) {
            kill();
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

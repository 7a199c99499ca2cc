package org.iterpref.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real platform as run-main.sh starts it, as OS processes on free loopback ports: one local
 * PostgreSQL (a temporary data directory), the executor, the generator, the trainer and two gateway
 * replicas on the same database. Started once per test JVM and stopped, whole process trees,
 * services first and the database last, by a shutdown hook (so also when a test fails or the JVM is
 * told to stop). Each process's output is kept in {@code target/platform-logs/NAME.log}.
 */
final class PlatformProcesses {

    static final Duration READY_TIMEOUT = Duration.ofMinutes(6);
    private static final String POSTGRES_READY = "local PostgreSQL ready";
    private static PlatformProcesses started;

    final Path root = Path.of(System.getProperty("platform.root", "..")).toAbsolutePath().normalize();
    final Path logs = Path.of(System.getProperty("platform.logs", "target/platform-logs")).toAbsolutePath();
    final Path work;
    final int postgresPort = freePort();
    final int executorPort = freePort();
    final int generatorPort = freePort();
    final int trainerPort = freePort();
    final int gatewayPort = freePort();
    final int secondGatewayPort = freePort();
    final String bootstrapKey = "ipk_boot_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(24));
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, List<String>> commands = new LinkedHashMap<>();
    private final Map<String, List<String>> extraArgs;
    private final String logPrefix;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PlatformProcesses(String logPrefix, Map<String, List<String>> extraArgs) throws IOException {
        this.logPrefix = logPrefix;
        this.extraArgs = Map.copyOf(extraArgs);
        work = Files.createTempDirectory("iterpref-reliability-");
        Files.createDirectories(logs);
    }

    /**
     * A platform of the caller's own (not the one the other suites share), with extra arguments per
     * process name ({@code generator-service}, {@code trainer-service}, ...) and logs named
     * {@code PREFIX-NAME.log}. The caller stops it; a shutdown hook does when the caller cannot.
     */
    static PlatformProcesses startOwn(String logPrefix, Map<String, List<String>> extraArgs) throws Exception {
        PlatformProcesses platform = new PlatformProcesses(logPrefix + "-", extraArgs);
        Runtime.getRuntime().addShutdownHook(new Thread(platform::stop, logPrefix + "-stop"));
        platform.start();
        return platform;
    }

    /** Stops the shared platform if the suites before this one started it (frees the machine for a suite of its own). */
    static synchronized void stopShared() {
        if (started != null) {
            started.stop();
            started = null;
        }
    }

    /** The platform of this JVM, started on first use. */
    static synchronized PlatformProcesses get() throws Exception {
        if (started == null) {
            PlatformProcesses platform = new PlatformProcesses("", Map.of());
            Runtime.getRuntime().addShutdownHook(new Thread(platform::stop, "platform-stop"));
            platform.start();
            started = platform;
        }
        return started;
    }

    String gateway() {
        return "http://127.0.0.1:" + gatewayPort;
    }

    String secondGateway() {
        return "http://127.0.0.1:" + secondGatewayPort;
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort + "/" + database;
    }

    private void start() throws Exception {
        long begin = System.nanoTime();
        Path keyFile = work.resolve("gateway-bootstrap-key");
        Files.writeString(keyFile, bootstrapKey, StandardCharsets.UTF_8);
        launch("postgres", List.of("-jar", root.resolve("local-postgres/target/local-postgres.jar").toString(),
                "--data-dir", work.resolve("postgres").toString(), "--port", Integer.toString(postgresPort)));
        awaitLog("postgres", POSTGRES_READY);
        launch("executor-service", service("executor-service", executorPort));
        List<String> generator = service("generator-service", generatorPort);
        generator.addAll(database("generator"));
        generator.add("--iterpref.generator.executor.base-url=http://127.0.0.1:" + executorPort);
        generator.add("--iterpref.generator.model-servers.trainer.base-url=http://127.0.0.1:" + trainerPort + "/v1");
        launch("generator-service", generator);
        List<String> trainer = service("trainer-service", trainerPort);
        trainer.addAll(database("trainer"));
        trainer.addAll(List.of("--iterpref.trainer.storage=" + work.resolve("trainer"), "--iterpref.trainer.threads=1",
                "--iterpref.trainer.pair-feeds.default-url=http://127.0.0.1:" + generatorPort + "/v1/pairs",
                "--iterpref.trainer.pair-feeds.allowed-urls[0]=http://127.0.0.1:" + generatorPort + "/"));
        launch("trainer-service", trainer);
        for (var gateway : Map.of("gateway", gatewayPort, "gateway-2", secondGatewayPort).entrySet()) {
            List<String> args = service("gateway", gateway.getValue());
            args.addAll(database("gateway"));
            args.addAll(List.of("--iterpref.gateway.bootstrap-key-file=" + keyFile,
                    "--iterpref.gateway.routes.generator=http://127.0.0.1:" + generatorPort,
                    "--iterpref.gateway.routes.trainer=http://127.0.0.1:" + trainerPort));
            launch(gateway.getKey(), args);
            if (gateway.getKey().equals("gateway")) {
                awaitReady("gateway", gatewayPort); // the first replica runs the migrations alone
            }
        }
        awaitReady("executor-service", executorPort);
        awaitReady("generator-service", generatorPort);
        awaitReady("trainer-service", trainerPort);
        awaitReady("gateway-2", secondGatewayPort);
        System.out.printf("platform ready in %d s (logs %s): gateway %s and %s%n",
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begin), logs, gateway(), secondGateway());
    }

    private List<String> service(String module, int port) throws IOException {
        Path jar;
        try (Stream<Path> jars = Files.list(root.resolve(module).resolve("target"))) {
            jar = jars.filter(p -> p.getFileName().toString().endsWith("-exec.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no " + module + "/target/*-exec.jar: package first"));
        }
        List<String> args = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-jar", jar.toString(), "--server.port=" + port, "--server.address=127.0.0.1"));
        return args;
    }

    private List<String> database(String name) {
        return List.of("--iterpref." + name + ".embedded-postgres.enabled=false",
                "--spring.datasource.url=" + jdbcUrl(name), "--spring.datasource.username=" + name);
    }

    private void launch(String name, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(args);
        command.addAll(extraArgs.getOrDefault(name, List.of()));
        commands.put(name, command);
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(log(name).toFile()).start();
        processes.put(name, process);
    }

    Path log(String name) {
        return logs.resolve(logPrefix + name + ".log");
    }

    /** The JVM of a process by name ({@code postgres}, {@code executor-service}, ..., {@code gateway-2}). */
    ProcessHandle handle(String name) {
        return processes.get(name).toHandle();
    }

    /** SIGKILL to the process (its JVM only: what its children do is theirs), waited for. */
    void kill(String name) throws InterruptedException {
        Process process = processes.get(name);
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " survived SIGKILL for 30 s");
        }
    }

    /** SIGTERM to the process, waited for (a graceful stop: PostgreSQL shuts down, a service drains). */
    void terminate(String name) throws InterruptedException {
        Process process = processes.get(name);
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " did not stop in 60 s after SIGTERM");
        }
    }

    /** Starts a stopped or killed process again with the same command (same port, same data), waits until it is ready. */
    void restart(String name) throws Exception {
        if (processes.get(name).isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        int readyLines = name.equals("postgres") ? count(name, POSTGRES_READY) : 0;
        Process process = new ProcessBuilder(commands.get(name)).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(name).toFile())).start();
        processes.put(name, process);
        if (name.equals("postgres")) {
            awaitLog(name, POSTGRES_READY, readyLines + 1);
        } else {
            awaitReady(name, port(name));
        }
    }

    int port(String name) {
        return switch (name) {
            case "postgres" -> postgresPort;
            case "executor-service" -> executorPort;
            case "generator-service" -> generatorPort;
            case "trainer-service" -> trainerPort;
            case "gateway" -> gatewayPort;
            case "gateway-2" -> secondGatewayPort;
            default -> throw new IllegalArgumentException(name);
        };
    }

    private int count(String name, String line) throws IOException {
        Path log = log(name);
        if (!Files.exists(log)) {
            return 0;
        }
        String text = Files.readString(log, StandardCharsets.ISO_8859_1);
        int n = 0;
        for (int at = text.indexOf(line); at >= 0; at = text.indexOf(line, at + 1)) {
            n++;
        }
        return n;
    }

    private void awaitLog(String name, String line) throws Exception {
        awaitLog(name, line, 1);
    }

    private void awaitLog(String name, String line, int occurrences) throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Path log = log(name);
        while (System.nanoTime() < deadline) {
            if (count(name, line) >= occurrences) {
                return;
            }
            checkAlive(name);
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " not ready in " + READY_TIMEOUT + ": see " + log);
    }

    private void awaitReady(String name, int port) throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        URI readiness = URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness");
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(readiness)
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            checkAlive(name);
            Thread.sleep(500);
        }
        throw new IllegalStateException(name + " not ready in " + READY_TIMEOUT + ": see " + log(name));
    }

    private void checkAlive(String name) {
        Process process = processes.get(name);
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + ": see "
                    + log(name));
        }
    }

    /** Services first (they hand their jobs back through the database), the database last; bounded waits. */
    synchronized void stop() {
        List<String> names = new ArrayList<>(processes.keySet());
        for (int i = names.size() - 1; i >= 0; i--) {
            Process process = processes.get(names.get(i));
            List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            tree.forEach(ProcessHandle::destroyForcibly);
        }
        deleteQuietly(work);
    }

    private static void deleteQuietly(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // a temporary directory; the system cleans what is left
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

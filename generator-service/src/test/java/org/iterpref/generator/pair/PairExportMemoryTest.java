package org.iterpref.generator.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.iterpref.generator.support.ParentBoundGenerator;
import org.iterpref.generator.support.SharedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The export streams in constant memory: a generator in a JVM of its own with a heap far smaller
 * than the export ({@value #HEAP}; 200,000 pairs are ~130 MB of JSON and more as Java objects) serves
 * every pair, each line whole and in order. An export that held its pairs in memory (checked by
 * collecting them into a list first) runs out of heap here and the test fails. (Not
 * {@code GeneratorProcess}: its heap is fixed, and it starts the shared executor this test does not need.)
 */
class PairExportMemoryTest {

    static final String HEAP = "-Xmx96m";
    static final int PAIRS = 200_000;
    static final String SET = "memory";

    @TempDir
    Path dir;

    private Process generator;

    @AfterEach
    void stop() {
        if (generator != null) {
            generator.destroyForcibly();
        }
    }

    @Test
    void givenASmallHeap_whenEveryPairIsExported_thenEachLineArrivesWholeAndInOrder() throws Exception {
        String database = SharedPostgres.jdbcUrl(getClass().getSimpleName());
        int port = freePort();
        Path log = dir.resolve("generator.log");
        generator = start(port, database, log);
        awaitReady(port, log);
        StoredPairs.insert(database, SharedPostgres.user(), SharedPostgres.password(), SET, PAIRS);

        long lines;
        try {
            lines = exportAndCheckEachLine(port);
        } catch (IOException e) {
            throw new AssertionError("the export broke off: " + e + "\n" + tail(log), e);
        }
        assertThat(lines).as(tail(log)).isEqualTo(PAIRS);
        assertThat(generator.isAlive()).as(tail(log)).isTrue();
    }

    /** Reads the whole export, line by line; returns how many lines it had. */
    private static long exportAndCheckEachLine(int port) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/v1/pairs/export?format=trl&set=" + SET)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonMapper json = JsonMapper.builder().build();
        long lines = 0;
        long previousId = 0;
        try (BufferedReader body = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = body.readLine()) != null; ) {
                lines++;
                JsonNode pair = json.readTree(line);
                assertThat(pair.get("prompt").asString()).as("line %d", lines).endsWith("#" + lines);
                assertThat(pair.get("rejected").asString()).as("line %d", lines).endsWith("# " + lines);
                long id = pair.get("metadata").get("id").asLong();
                assertThat(id).as("line %d", lines).isGreaterThan(previousId);
                previousId = id;
            }
        }
        return lines;
    }

    private Process start(int port, String database, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, HEAP, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError", "-cp",
                System.getProperty("java.class.path"), ParentBoundGenerator.class.getName(),
                "--server.port=" + port, "--spring.profiles.active=test",
                "--spring.datasource.url=" + database, "--spring.datasource.username=" + SharedPostgres.user(),
                "--spring.datasource.password=" + SharedPostgres.password(), "--iterpref.generator.workers=0",
                "--spring.datasource.hikari.maximum-pool-size=2");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private void awaitReady(int port, Path log) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/actuator/health/readiness")).build();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!generator.isAlive()) {
                throw new IllegalStateException("the generator exited:\n" + tail(log));
            }
            try {
                return http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}

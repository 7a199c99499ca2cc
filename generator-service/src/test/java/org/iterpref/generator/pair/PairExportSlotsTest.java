package org.iterpref.generator.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.iterpref.generator.support.SharedPostgres;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Exports are capped per instance: each holds a database connection and a reader thread while its
 * client reads, so enough slow clients would otherwise take every pooled connection from the job
 * workers. Over the cap: 503 problem+json with Retry-After; the slot comes back when an export ends.
 */
class PairExportSlotsTest extends GeneratorIntegrationTest {

    static final String SET = "export-slots";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, PairExportSlotsTest.class);
        registry.add("iterpref.generator.max-concurrent-exports", () -> "1");
    }

    @Test
    void aSecondExportWhileOneStreamsIsRefusedUntilTheFirstEnds() throws Exception {
        // more than the socket buffers hold: the first export stays open while its client does not read
        StoredPairs.insert(SharedPostgres.jdbcUrl(PairExportSlotsTest.class.getSimpleName()), SharedPostgres.user(),
                SharedPostgres.password(), SET, 40_000);
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest export = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/pairs/export?set=" + SET))
                .GET().build();
        HttpResponse<InputStream> first = http.send(export, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(first.statusCode()).isEqualTo(200);
        BufferedReader lines = new BufferedReader(new InputStreamReader(first.body(), StandardCharsets.UTF_8));
        assertThat(lines.readLine()).startsWith("{\"prompt\"");

        HttpResponse<String> second = http.send(export, HttpResponse.BodyHandlers.ofString());
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(second.headers().firstValue("Content-Type")).hasValueSatisfying(t ->
                assertThat(t).startsWith("application/problem+json"));
        assertThat(second.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(second.body()).contains("max-concurrent-exports");

        long rest = lines.lines().count();  // the first export reads to its end
        assertThat(rest).isEqualTo(40_000 - 1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                http.send(export, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }
}

package org.iterpref.generator.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.iterpref.generator.support.SharedPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * An export whose database connection dies after the first lines were sent must not look complete: a
 * 200 whose body simply ends would be taken for every pair there is. The response is aborted instead
 * (no terminating chunk), which HTTP clients report as an error, and the service logs and counts it.
 * A client that leaves is no failure, but its export's query and reader thread must end with it.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PairExportFailureTest extends GeneratorIntegrationTest {

    static final String SET = "export-failure";
    static final int PAIRS = 50_000;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, PairExportFailureTest.class);
    }

    @Autowired
    JdbcClient jdbc;

    @Autowired
    MeterRegistry meters;

    @BeforeAll
    void storePairs() throws Exception {
        StoredPairs.insert(SharedPostgres.jdbcUrl(PairExportFailureTest.class.getSimpleName()), SharedPostgres.user(),
                SharedPostgres.password(), SET, PAIRS);
    }

    @Test
    void aLostDatabaseConnectionMidExportAbortsTheResponse(CapturedOutput output) throws Exception {
        double failuresBefore = failures();
        HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/v1/pairs/export?format=trl&set=" + SET)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonMapper json = JsonMapper.builder().build();
        try (BufferedReader body = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (int i = 0; i < 1000; i++) {
                assertThat(json.readTree(body.readLine()).get("prompt").asString()).endsWith("#" + (i + 1));
            }

            assertThat(terminateExportSession()).as("the export's backend, found in pg_stat_activity").hasSize(1);

            int[] lines = {1000};
            assertThatThrownBy(() -> {
                while (body.readLine() != null) {
                    lines[0]++;
                }
            }).as("reading past the failure").isInstanceOf(IOException.class);
            assertThat(lines[0]).isLessThan(PAIRS);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(meters.find("iterpref.generator.pair.exports").tag("outcome", "failed").counter()).isNotNull();
            assertThat(failures()).isEqualTo(failuresBefore + 1);
        });
        assertThat(output.getOut() + output.getErr()).contains("pair export failed");
    }

    @Test
    void aClientThatLeavesMidExportEndsTheExportsQueryAndReader() throws Exception {
        double abandonedBefore = exports("abandoned");
        double failuresBeforeLeaving = exports("failed");
        HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/v1/pairs/export?format=trl&set=" + SET)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader body = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (int i = 0; i < 100; i++) {
                assertThat(body.readLine()).isNotNull();
            }
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(exports("abandoned")).isEqualTo(abandonedBefore + 1);
            assertThat(jdbc.sql("""
                    select count(*) from pg_stat_activity
                    where datname = current_database() and pid <> pg_backend_pid() and state <> 'idle'
                      and query ilike '%from pairs%order by id%'""").query(Long.class).single())
                    .as("export sessions still running or in a transaction").isZero();
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("pair-export-reader"));
        });
        assertThat(exports("failed")).as("a client leaving is no failure").isEqualTo(failuresBeforeLeaving);
    }

    private double failures() {
        return exports("failed");
    }

    private double exports(String outcome) {
        Counter exports = meters.find("iterpref.generator.pair.exports").tag("outcome", outcome).counter();
        return exports == null ? 0 : exports.count();
    }

    /** Ends the export's database session from outside, as a failover or an operator would. */
    private List<Boolean> terminateExportSession() {
        return jdbc.sql("""
                select pg_terminate_backend(pid) from pg_stat_activity
                where datname = current_database() and pid <> pg_backend_pid()
                  and query ilike '%from pairs%order by id%'""").query(Boolean.class).list();
    }
}

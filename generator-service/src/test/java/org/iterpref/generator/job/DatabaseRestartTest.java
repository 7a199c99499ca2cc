package org.iterpref.generator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.iterpref.generator.support.GeneratorClient;
import org.iterpref.generator.support.PostgresProxy;
import org.iterpref.generator.support.SharedExecutor;
import org.iterpref.generator.support.SharedPostgres;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * PostgreSQL goes away twice in the middle of a run, as a restart on the same port does: a blip
 * shorter than the pool's connection timeout, and an outage longer than it. Every trajectory still
 * ends PASSED with each iteration stored once, and while the database is gone the API answers 503
 * with Retry-After rather than 500.
 */
class DatabaseRestartTest {

    private static final String DATABASE = "DatabaseRestart";

    @Test
    void aRunSurvivesItsDatabaseRestartingTwice() throws Exception {
        try (PostgresProxy proxy = PostgresProxy.inFrontOf(SharedPostgres.jdbcUrl(DATABASE));
             ConfigurableApplicationContext instance = RestartAndOutageTest.start(DATABASE, SharedExecutor.baseUrl(),
                     "--spring.datasource.url=" + proxy.jdbcUrl(),
                     "--spring.datasource.hikari.connection-timeout=2000",
                     "--iterpref.generator.max-job-attempts=1")) {
            GeneratorClient client = RestartAndOutageTest.client(instance);
            String runId = RestartAndOutageTest.importAndRun(client, "dbrestart", 8, 2);
            await().atMost(Duration.ofMinutes(2)).until(() -> RestartAndOutageTest.iterations(client, runId) >= 4);

            proxy.cut(); // a blip: back before a connection request times out
            Thread.sleep(1000);
            proxy.restore();
            await().atMost(Duration.ofMinutes(2)).until(() -> RestartAndOutageTest.iterations(client, runId) >= 12);

            proxy.cut(); // longer than the connection timeout
            HttpResponse<String> duringOutage = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + instance.getEnvironment().getProperty("local.server.port")
                            + "/v1/generation-runs/" + runId)).build(), HttpResponse.BodyHandlers.ofString());
            Thread.sleep(2000);
            proxy.restore();

            assertThat(duringOutage.statusCode()).as(duringOutage.body()).isEqualTo(503);
            assertThat(duringOutage.headers().firstValue("Retry-After")).hasValue("2");
            assertThat(duringOutage.headers().firstValue("Content-Type").orElseThrow())
                    .startsWith("application/problem+json");
            RestartAndOutageTest.assertCompleteAndExactlyOnce(instance, runId, 16);
            JdbcClient jdbc = instance.getBean(JdbcClient.class);
            assertThat(jdbc.sql("select count(*) from trajectories where status = 'ERRORED'").query(Long.class).single())
                    .isZero();
        }
    }
}

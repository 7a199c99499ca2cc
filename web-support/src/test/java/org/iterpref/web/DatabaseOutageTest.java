package org.iterpref.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import org.iterpref.web.db.DatabaseOutage;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A request that fails because the database is unreachable (restarting, pool timed out) is a 503
 * with Retry-After, in the caller's shape, never the catch-all's 500 — also where a service's own
 * catch-all advice (the trainer's OpenAI handler) would answer first.
 */
@SpringBootTest(classes = DatabaseOutageTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "iterpref.web.openai-error-paths=/v1/")
class DatabaseOutageTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Test
    void aConnectionThatCannotBeHadIsA503ProblemWithRetryAfter() throws Exception {
        for (String path : new String[] {"/api/no-connection", "/api/pool-timeout", "/api/connection-lost"}) {
            HttpResponse<String> reply = get(path);

            assertThat(reply.statusCode()).as(path).isEqualTo(503);
            assertThat(reply.headers().firstValue("Retry-After")).as(path).hasValue("2");
            assertThat(reply.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
            JsonNode body = JSON.readTree(reply.body());
            assertThat(body.get("status").asInt()).isEqualTo(503);
            assertThat(body.get("detail").asString()).contains("database is unavailable");
            assertThat(reply.body()).doesNotContain("select").doesNotContain("Exception").doesNotContain("at org.");
        }
    }

    @Test
    void onAnOpenAiPathTheOutageIsA503InOpenAisShapeDespiteTheCatchAllThere() throws Exception {
        HttpResponse<String> reply = get("/v1/no-connection");

        assertThat(reply.statusCode()).isEqualTo(503);
        assertThat(reply.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(reply.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        JsonNode error = JSON.readTree(reply.body()).get("error");
        assertThat(error.get("message").asString()).contains("database is unavailable");
        assertThat(error.get("type").asString()).isEqualTo("api_error");
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
    }

    @Test
    void otherFailuresStayThe500TheyWere() throws Exception {
        assertThat(get("/api/constraint").statusCode()).isEqualTo(500);
        assertThat(get("/v1/other").statusCode()).isEqualTo(500);
    }

    @Test
    void recognisesTheOutagesByTypeAndSqlState() {
        assertThat(DatabaseOutage.causedBy(new CannotGetJdbcConnectionException("x",
                new SQLTransientConnectionException("pool timed out")))).isTrue();
        assertThat(DatabaseOutage.causedBy(new RecoverableDataAccessException("x"))).isTrue();
        assertThat(DatabaseOutage.causedBy(new QueryTimeoutException("x"))).isTrue();
        assertThat(DatabaseOutage.causedBy(new RuntimeException(new SQLException("terminating connection", "57P01"))))
                .isTrue();
        assertThat(DatabaseOutage.causedBy(new IllegalStateException(new SQLException("refused", "08001")))).isTrue();
        // a transaction whose connection broke, rolled back on Hikari's closed proxy of it
        assertThat(DatabaseOutage.causedBy(new IllegalStateException("Unable to rollback against JDBC Connection",
                new SQLException("Connection is closed")))).isTrue();
        assertThat(DatabaseOutage.causedBy(new SQLException("syntax error"))).isFalse();
        assertThat(DatabaseOutage.causedBy(new DataIntegrityViolationException("dup",
                new SQLException("duplicate key", "23505")))).isFalse();
        assertThat(DatabaseOutage.causedBy(new IllegalStateException("no"))).isFalse();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @RestController
        static class Things {

            @GetMapping("/api/no-connection")
            String noConnection() {
                throw noConnectionFailure();
            }

            @GetMapping("/api/pool-timeout")
            String poolTimeout() {
                throw new IllegalStateException("select * from secrets failed", new SQLTransientConnectionException(
                        "HikariPool-1 - Connection is not available, request timed out after 30000ms"));
            }

            @GetMapping("/api/connection-lost")
            String connectionLost() {
                throw new RecoverableDataAccessException("select 1; An I/O error occurred while sending to the backend");
            }

            @GetMapping("/api/constraint")
            String constraint() {
                throw new DataIntegrityViolationException("duplicate key");
            }

        }

        static RuntimeException noConnectionFailure() {
            return new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection",
                    new SQLException("Connection to 127.0.0.1:5432 refused", "08001"));
        }

        @RestController
        static class OpenAiThings {

            @GetMapping("/v1/no-connection")
            String noConnection() {
                throw noConnectionFailure();
            }

            @GetMapping("/v1/other")
            String other() {
                throw new IllegalStateException("bug");
            }
        }

        @RestControllerAdvice
        static class Problems extends ApiProblemHandler {
        }

        /** Like the trainer's OpenAI handler: a catch-all of its own, first in line. */
        @RestControllerAdvice(assignableTypes = OpenAiThings.class)
        @Order(Ordered.HIGHEST_PRECEDENCE)
        static class OpenAiCatchAll {

            @ExceptionHandler(Exception.class)
            ResponseEntity<Map<String, Object>> unexpected(Exception e) {
                return ResponseEntity.internalServerError().body(Map.of("error", Map.of("message", "server_error")));
            }
        }
    }
}

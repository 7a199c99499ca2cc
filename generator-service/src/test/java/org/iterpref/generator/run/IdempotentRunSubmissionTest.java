package org.iterpref.generator.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.iterpref.generator.support.ExampleTasks;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v1/generation-runs} with an {@code Idempotency-Key}: a client that retries a
 * submission (its first try's answer lost with a gateway that died) gets the run its first try
 * started, never a second run, also when the retries race each other.
 */
class IdempotentRunSubmissionTest extends GeneratorIntegrationTest {

    private static final String SET = "idempotent";
    private static final String BODY = """
            {"taskSet": "idempotent", "source": {"type": "bug-injection"}, "maxIterations": 3, "samplesPerTask": 2,
             "seed": 5}""";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, IdempotentRunSubmissionTest.class);
        registry.add("iterpref.generator.workers", () -> 0); // only the submissions matter here
    }

    @Autowired
    JdbcClient jdbc;

    @BeforeEach
    void importTasks() {
        if (jdbc.sql("select count(*) from tasks").query(Long.class).single() == 0) {
            var imported = client().post("/v1/tasks/import?format=jsonl&set=" + SET, "application/x-ndjson",
                    ExampleTasks.first(2));
            assertThat(imported.body().get("valid").asInt()).as(imported.raw()).isEqualTo(2);
        }
    }

    @Test
    void aRetryWithTheSameKeyAndBodyAnswersTheSameRunAndStartsNoOther() throws Exception {
        String key = "retry-" + UUID.randomUUID();
        HttpResponse<String> first = submit(key, BODY);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();

        String sameRequestOtherLayout = """
                {"seed":5,"samplesPerTask":2,"maxIterations":3,"source":{"type":"bug-injection"},"taskSet":"idempotent"}""";
        HttpResponse<String> retry = submit(key, sameRequestOtherLayout);

        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(202);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(id(retry)).isEqualTo(id(first));
        assertThat(runsWithKey(key)).isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from trajectories where run_id = ?::uuid").param(id(first))
                .query(Long.class).single()).isEqualTo(4);
    }

    @Test
    void theSameKeyWithADifferentBodyIs422NamingTheHeader() throws Exception {
        String key = "reused-" + UUID.randomUUID();
        assertThat(submit(key, BODY).statusCode()).isEqualTo(202);

        HttpResponse<String> other = submit(key, BODY.replace("\"seed\": 5", "\"seed\": 6"));

        assertThat(other.statusCode()).as(other.body()).isEqualTo(422);
        assertThat(other.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        assertThat(JSON.readTree(other.body()).get("field").asString()).isEqualTo("Idempotency-Key");
        assertThat(runsWithKey(key)).isEqualTo(1);
    }

    @Test
    void aKeyThatIsEmptyTooLongOrNotPrintableAsciiIs400NamingTheHeader() throws Exception {
        long runsBefore = jdbc.sql("select count(*) from generation_runs").query(Long.class).single();
        for (String bad : List.of("", "k".repeat(256), "tab\there")) {
            HttpResponse<String> reply = submit(bad, BODY);

            assertThat(reply.statusCode()).as("key '%s': %s", bad, reply.body()).isEqualTo(400);
            assertThat(JSON.readTree(reply.body()).get("field").asString()).isEqualTo("Idempotency-Key");
        }
        assertThat(submit("k".repeat(255), BODY).statusCode()).isEqualTo(202);
        assertThat(jdbc.sql("select count(*) from generation_runs").query(Long.class).single())
                .isEqualTo(runsBefore + 1);
    }

    @Test
    void withoutAKeyEverySubmissionStartsARun() throws Exception {
        assertThat(id(submit(null, BODY))).isNotEqualTo(id(submit(null, BODY)));
    }

    @Test
    void concurrentSubmissionsWithOneKeyStartOneRun() throws Exception {
        String key = "race-" + UUID.randomUUID();
        int clients = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<HttpResponse<String>>> replies = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                replies.add(pool.submit(() -> {
                    go.await();
                    return submit(key, BODY);
                }));
            }
            go.countDown();
            Set<String> ids = new java.util.HashSet<>();
            for (Future<HttpResponse<String>> reply : replies) {
                HttpResponse<String> r = reply.get();
                assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                ids.add(id(r));
            }
            assertThat(ids).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(runsWithKey(key)).isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from trajectories t join generation_runs r on r.id = t.run_id "
                + "where r.idempotency_key = ?").param(key).query(Long.class).single()).isEqualTo(4);
    }

    @Test
    void theHeaderIsDocumentedInTheOpenApiDocument() {
        JsonNode parameters = client().get("/v3/api-docs").body().get("paths").get("/v1/generation-runs").get("post")
                .get("parameters");
        assertThat(parameters).isNotNull();
        assertThat(parameters.toString()).contains("\"name\":\"Idempotency-Key\"").contains("\"in\":\"header\"")
                .contains("\"maxLength\":255");
    }

    private long runsWithKey(String key) {
        return jdbc.sql("select count(*) from generation_runs where idempotency_key = ?").param(key)
                .query(Long.class).single();
    }

    private static String id(HttpResponse<String> reply) {
        JsonNode body = JSON.readTree(reply.body());
        return body.get("id").asString();
    }

    private HttpResponse<String> submit(String key, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/v1/generation-runs")).header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(1)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}

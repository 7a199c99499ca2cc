package org.iterpref.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.iterpref.gateway.support.GatewayInstance;
import org.iterpref.gateway.support.Http;
import org.iterpref.gateway.support.Keys;
import org.iterpref.gateway.support.StubUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Requests reach the right service at the rewritten path, with the gateway's headers, streamed. */
class RoutingTest {

    /** Where a leftover {@code iterpref.gateway.routes.executor} points: nothing may reach it. */
    static StubUpstream staleExecutor;
    static StubUpstream generator;
    static StubUpstream trainer;
    static GatewayInstance gateway;
    static String key;

    @BeforeAll
    static void start() throws Exception {
        staleExecutor = new StubUpstream();
        generator = new StubUpstream();
        trainer = new StubUpstream();
        gateway = GatewayInstance.start("routing", generator.baseUrl(), Map.of(
                "iterpref.gateway.routes.executor", staleExecutor.baseUrl(),
                "iterpref.gateway.routes.trainer", trainer.baseUrl()));
        key = Keys.create(gateway, "router", "\"read\",\"submit\",\"train\"");
    }

    @AfterAll
    static void stop() {
        gateway.close();
        staleExecutor.close();
        generator.close();
        trainer.close();
    }

    @BeforeEach
    void clear() {
        staleExecutor.clear();
        generator.clear();
        trainer.clear();
    }

    @Test
    void shouldRewriteApiPathsToTheGeneratorsV1KeepingTheQuery() throws Exception {
        for (String resource : new String[] {"tasks", "generation-runs", "trajectories", "pairs", "evaluations", "executions"}) {
            HttpResponse<String> response = Http.get(gateway.url("/api/" + resource + "/abc?limit=5&after=x%20y"),
                    "Authorization", Http.bearer(key));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"ok\":true}");
            StubUpstream.Received received = generator.next();
            assertThat(received.method()).isEqualTo("GET");
            assertThat(received.uri()).startsWith("/v1/" + resource + "/abc?");
            assertThat(received.uri().substring(received.uri().indexOf('?') + 1).split("&"))
                    .containsExactlyInAnyOrder("limit=5", "after=x%20y");
        }
        assertThat(trainer.poll()).isNull();
    }

    /** A client retrying a run submission on another replica relies on its key reaching the generator. */
    @Test
    void shouldPassTheIdempotencyKeyOfARunSubmissionToTheGenerator() throws Exception {
        HttpResponse<String> response = Http.post(gateway.url("/api/generation-runs"), "{\"taskSet\":\"s\"}",
                "X-API-Key", key, "Idempotency-Key", "run-7f3c");

        assertThat(response.statusCode()).isEqualTo(200);
        StubUpstream.Received received = generator.next();
        assertThat(received.uri()).isEqualTo("/v1/generation-runs");
        assertThat(received.header("Idempotency-Key")).isEqualTo("run-7f3c");
    }

    /** Only the generator may call the executor: it relays the executions the gateway sends it. */
    @Test
    void shouldRouteExecutionsToTheGeneratorWithTheBody() throws Exception {
        for (String path : new String[] {"/api/executions", "/api/executions/batch"}) {
            HttpResponse<String> response = Http.post(gateway.url(path), "{\"language\":\"python\"}",
                    "X-API-Key", key);

            assertThat(response.statusCode()).isEqualTo(200);
            StubUpstream.Received received = generator.next();
            assertThat(received.method()).isEqualTo("POST");
            assertThat(received.uri()).isEqualTo(path.replace("/api/", "/v1/"));
            assertThat(received.bodyText()).isEqualTo("{\"language\":\"python\"}");
            assertThat(received.header("Content-Type")).startsWith("application/json");
        }
        assertThat(trainer.poll()).isNull();
        assertThat(staleExecutor.poll()).as("the executor, configured as an old gateway was").isNull();
    }

    @Test
    void shouldPassTheOpenAiSurfaceToTheTrainerUnchanged() throws Exception {
        for (String path : new String[] {"/v1/models", "/v1/files/file-1/content", "/v1/fine_tuning/jobs?limit=2"}) {
            assertThat(Http.get(gateway.url(path), "Authorization", Http.bearer(key)).statusCode()).isEqualTo(200);
            assertThat(trainer.next().uri()).isEqualTo(path);
        }
        HttpResponse<String> completion = Http.post(gateway.url("/v1/chat/completions"),
                "{\"model\":\"tiny\",\"messages\":[]}", "Authorization", Http.bearer(key));
        assertThat(completion.statusCode()).isEqualTo(200);
        StubUpstream.Received received = trainer.next();
        assertThat(received.uri()).isEqualTo("/v1/chat/completions");
        assertThat(received.bodyText()).isEqualTo("{\"model\":\"tiny\",\"messages\":[]}");
    }

    @Test
    void shouldKeepASaneClientRequestIdAndPassItDownstream() throws Exception {
        HttpResponse<String> response = Http.get(gateway.url("/api/tasks"), "Authorization", Http.bearer(key),
                "X-Request-Id", "ci-run-42.step:7");

        assertThat(response.headers().allValues("X-Request-Id")).containsExactly("ci-run-42.step:7");
        assertThat(generator.next().headers().get("x-request-id")).containsExactly("ci-run-42.step:7");
    }

    @Test
    void shouldReplaceAMissingOrInsaneRequestIdWithAFreshOne() throws Exception {
        HttpResponse<String> none = Http.get(gateway.url("/api/tasks"), "Authorization", Http.bearer(key));
        String generated = none.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(generated).matches("[0-9a-f-]{36}");
        assertThat(generator.next().header("X-Request-Id")).isEqualTo(generated);

        HttpResponse<String> insane = Http.get(gateway.url("/api/tasks"), "Authorization", Http.bearer(key),
                "X-Request-Id", "x\" onload=alert(1) " + "y".repeat(200));
        String replaced = insane.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(replaced).matches("[0-9a-f-]{36}").isNotEqualTo(generated);
        assertThat(generator.next().header("X-Request-Id")).isEqualTo(replaced);
    }

    @Test
    void shouldGiveErrorsOfItsOwnARequestIdToo() throws Exception {
        HttpResponse<String> response = Http.get(gateway.url("/api/tasks"), "X-Request-Id", "no-key-1");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue("no-key-1");
    }

    @Test
    void shouldStreamServerSentEventsAsTheyCome() throws Exception {
        CountDownLatch clientSawFirst = new CountDownLatch(1);
        AtomicBoolean upstreamGaveUpWaiting = new AtomicBoolean();
        generator.on("/v1/generation-runs/run-1/events", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write("event: iteration\ndata: {\"n\":1}\n\n".getBytes(StandardCharsets.UTF_8));
            exchange.getResponseBody().flush();
            // the second event is sent only once the client has the first: a buffering gateway would stall here
            upstreamGaveUpWaiting.set(!clientSawFirst.await(10, TimeUnit.SECONDS));
            exchange.getResponseBody().write("event: done\ndata: {\"n\":2}\n\n".getBytes(StandardCharsets.UTF_8));
        });

        HttpResponse<InputStream> response = Http.send(Http.request(gateway.url("/api/generation-runs/run-1/events"),
                "Authorization", Http.bearer(key), "Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertThat(lines.readLine()).isEqualTo("event: iteration");
            assertThat(lines.readLine()).isEqualTo("data: {\"n\":1}");
            clientSawFirst.countDown();
            assertThat(lines.readLine()).isEmpty();
            assertThat(lines.readLine()).isEqualTo("event: done");
            assertThat(lines.readLine()).isEqualTo("data: {\"n\":2}");
        }
        assertThat(upstreamGaveUpWaiting).as("the first event reached the client before the second was sent").isFalse();
    }

    @Test
    void shouldStreamAJsonLinesExportLineByLine() throws Exception {
        CountDownLatch clientSawFirst = new CountDownLatch(1);
        AtomicBoolean upstreamGaveUpWaiting = new AtomicBoolean();
        generator.on("/v1/pairs/export", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write("{\"id\":1}\n".getBytes(StandardCharsets.UTF_8));
            exchange.getResponseBody().flush();
            upstreamGaveUpWaiting.set(!clientSawFirst.await(10, TimeUnit.SECONDS));
            exchange.getResponseBody().write("{\"id\":2}\n".getBytes(StandardCharsets.UTF_8));
        });

        HttpResponse<InputStream> response = Http.send(Http.request(gateway.url("/api/pairs/export"),
                "Authorization", Http.bearer(key)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());

        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertThat(lines.readLine()).isEqualTo("{\"id\":1}");
            clientSawFirst.countDown();
            assertThat(lines.readLine()).isEqualTo("{\"id\":2}");
            assertThat(lines.readLine()).isNull();
        }
        assertThat(upstreamGaveUpWaiting).as("the first line reached the client before the second was sent").isFalse();
    }

    @Test
    void shouldAnswer502WhenAServiceIsDown() throws Exception {
        try (StubUpstream doomed = new StubUpstream();
             GatewayInstance lonely = GatewayInstance.start("routing", doomed.baseUrl(), Map.of())) {
            doomed.close();
            HttpResponse<String> api = Http.get(lonely.url("/api/tasks"), "Authorization", Http.bearer(key));
            assertThat(api.statusCode()).isEqualTo(502);
            assertThat(api.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(Http.json(api).get("detail").asString()).isEqualTo("The generator service did not answer.");

            HttpResponse<String> v1 = Http.get(lonely.url("/v1/models"), "Authorization", Http.bearer(key));
            assertThat(v1.statusCode()).isEqualTo(502);
            assertThat(Http.json(v1).get("error").get("code").asString()).isEqualTo("upstream_unavailable");
        }
    }
}

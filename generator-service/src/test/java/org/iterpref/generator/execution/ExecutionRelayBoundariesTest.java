package org.iterpref.generator.execution;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.iterpref.generator.support.GeneratorClient.Reply;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.iterpref.generator.support.SharedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The relay against a local HTTP server standing in for the executor: what reaches the executor
 * of a caller's request, and what the caller gets when the executor's answer is no answer.
 */
@ExtendWith(OutputCaptureExtension.class)
class ExecutionRelayBoundariesTest extends GeneratorIntegrationTest {

    static final int ANSWER_CAP = 8192;
    static final FakeExecutor EXECUTOR = FakeExecutor.start();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> SharedPostgres.jdbcUrl(ExecutionRelayBoundariesTest.class.getSimpleName()));
        registry.add("spring.datasource.username", SharedPostgres::user);
        registry.add("spring.datasource.password", SharedPostgres::password);
        registry.add("iterpref.generator.executor.base-url", () -> "http://127.0.0.1:" + EXECUTOR.port());
        registry.add("iterpref.generator.executor.max-response-bytes", () -> ANSWER_CAP);
        registry.add("iterpref.generator.executor.request-timeout-ms", () -> 1500);
        registry.add("iterpref.generator.workers", () -> 0);
    }

    @AfterAll
    static void stop() {
        EXECUTOR.server.stop(0);
    }

    @BeforeEach
    void clear() {
        EXECUTOR.seen.clear();
    }

    static final String OK_BODY = "{\"language\":\"python\",\"code\":\"ok\",\"tests\":[]}";

    @Test
    void shouldForwardOnlyTheBodyContentTypeAcceptAndRequestIdToTheFixedPath() throws Exception {
        String raw = "POST http://evil.example:9999/v1/executions?target=http://169.254.169.254/ HTTP/1.1\r\n"
                + "Host: evil.example:9999\r\n"
                + "Content-Type: application/json\r\n"
                + "Accept: application/json\r\n"
                + "X-Request-Id: trace-7\r\n"
                + "Authorization: Bearer caller-secret\r\n"
                + "Proxy-Authorization: Basic cHJveHk6c2VjcmV0\r\n"
                + "Cookie: session=caller-cookie\r\n"
                + "X-Forwarded-Host: evil.example\r\n"
                + "X-Forwarded-For: 10.0.0.66\r\n"
                + "Forwarded: host=evil.example\r\n"
                + "X-Original-URL: /admin\r\n"
                + "Keep-Alive: timeout=5\r\n"
                + "Connection: keep-alive, X-Custom-Hop\r\n"
                + "X-Custom-Hop: 1\r\n"
                + "TE: trailers\r\n"
                + "Content-Length: " + OK_BODY.length() + "\r\n"
                + "\r\n" + OK_BODY;
        String answer = rawExchange(raw);
        assertThat(answer).startsWith("HTTP/1.1 200");
        assertThat(answer).contains("\"verdict\":\"PASSED\"");

        Seen seen = EXECUTOR.seen.poll(10, TimeUnit.SECONDS);
        assertThat(seen).isNotNull();
        assertThat(seen.path()).isEqualTo("/v1/executions");
        assertThat(seen.query()).isNull();
        assertThat(seen.body()).isEqualTo(OK_BODY);
        assertThat(seen.headers().keySet()).as("headers the executor got")
                .containsExactlyInAnyOrder("content-type", "accept", "x-request-id", "host", "content-length", "user-agent");
        assertThat(seen.headers().get("host")).containsExactly("127.0.0.1:" + EXECUTOR.port());
        assertThat(seen.headers().get("x-request-id")).containsExactly("trace-7");
        assertThat(seen.headers().toString()).doesNotContain("caller-secret", "evil.example", "caller-cookie", "10.0.0.66");
    }

    @Test
    void shouldReplaceAnInsaneRequestIdWithAFreshOne() throws Exception {
        Reply reply = post("/v1/executions/batch", OK_BODY, "X-Request-Id", "x\" onload=alert(1) " + "y".repeat(200));
        assertThat(reply.status()).isEqualTo(200);
        Seen seen = EXECUTOR.seen.poll(10, TimeUnit.SECONDS);
        assertThat(seen.path()).isEqualTo("/v1/executions/batch");
        assertThat(seen.headers().get("x-request-id")).singleElement().asString().matches(UUID_PATTERN);
    }

    static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    @Test
    void aRequestWithoutAnIdGetsOneThatTheAnswerTheExecutorAndTheLogLinesShare(CapturedOutput output) throws Exception {
        var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/v1/executions"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body("crash"))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(502);
        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(id).matches(UUID_PATTERN);
        Seen seen = EXECUTOR.seen.poll(10, TimeUnit.SECONDS);
        assertThat(seen.headers().get("x-request-id")).containsExactly(id);
        assertThat(output.getAll().lines().filter(line -> line.contains("the executor answered 500")))
                .as("the relay's warning carries the request id").anyMatch(line -> line.contains("[" + id + "]"));
    }

    @Test
    void aCallersRequestIdIsEchoedAndOnTheLogLines(CapturedOutput output) throws Exception {
        var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/v1/executions"))
                .header("Content-Type", "application/json").header("X-Request-Id", "gw-trace-42")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body("crash"))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.headers().firstValue("X-Request-Id")).contains("gw-trace-42");
        assertThat(EXECUTOR.seen.poll(10, TimeUnit.SECONDS).headers().get("x-request-id")).containsExactly("gw-trace-42");
        assertThat(output.getAll()).contains("[gw-trace-42]");
    }

    @Test
    void shouldPassTheExecutorsQueueFullProblemWithItsRetryAfter() {
        Reply reply = client().post("/v1/executions", "application/json", body("queue-full"));
        assertThat(reply.status()).isEqualTo(429);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.body().get("retryAfterSeconds").asInt()).isEqualTo(3);
    }

    @Test
    void shouldAnswer502WhenTheExecutorsAnswerIsTooLarge() {
        Reply reply = client().post("/v1/executions", "application/json", body("huge"));
        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.body().get("detail").asString()).contains("executor", Integer.toString(ANSWER_CAP));
    }

    @Test
    void shouldAnswer504WhenTheExecutorIsTooSlow() {
        Reply reply = client().post("/v1/executions", "application/json", body("slow"));
        assertThat(reply.status()).isEqualTo(504);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.body().get("detail").asString()).contains("executor");
    }

    @Test
    void shouldAnswer502WithoutTheExecutorsOwnErrorPage() {
        Reply crash = client().post("/v1/executions", "application/json", body("crash"));
        assertThat(crash.status()).isEqualTo(502);
        assertThat(crash.contentType()).startsWith("application/problem+json");
        assertThat(crash.raw()).contains("executor").doesNotContain("NullPointerException", "at org.");

        Reply html = client().post("/v1/executions", "application/json", body("html-400"));
        assertThat(html.status()).isEqualTo(400);
        assertThat(html.contentType()).startsWith("application/problem+json");
        assertThat(html.raw()).doesNotContain("<script>");
    }

    static String body(String behaviour) {
        return "{\"language\":\"python\",\"code\":\"" + behaviour + "\",\"tests\":[]}";
    }

    Reply post(String path, String body, String header, String value) {
        try {
            var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + port + path))
                    .header("Content-Type", "application/json").header(header, value)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), null,
                    response.body());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One request written byte for byte (a Host and request line no HTTP client would send), its answer. */
    String rawExchange(String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            StringBuilder answer = new StringBuilder();
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                answer.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                if (answer.indexOf("\r\n\r\n") > 0 && answer.toString().contains("}")) {
                    break;
                }
            }
            return answer.toString();
        }
    }

    record Seen(String path, String query, Map<String, List<String>> headers, String body) {
    }

    /** Answers by the request's {@code code}: ok, queue-full, huge, slow, crash, html-400. */
    record FakeExecutor(HttpServer server, BlockingQueue<Seen> seen) {

        static FakeExecutor start() {
            try {
                HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
                FakeExecutor fake = new FakeExecutor(server, new LinkedBlockingQueue<>());
                server.createContext("/", fake::handle);
                server.setExecutor(Executors.newCachedThreadPool());
                server.start();
                return fake;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        int port() {
            return server.getAddress().getPort();
        }

        void handle(HttpExchange exchange) throws IOException {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), List.copyOf(values)));
            seen.add(new Seen(exchange.getRequestURI().getRawPath(), exchange.getRequestURI().getRawQuery(), headers, body));
            String code = body.replaceAll("(?s).*\"code\":\"([^\"]*)\".*", "$1");
            switch (code) {
                case "queue-full" -> {
                    exchange.getResponseHeaders().add("Retry-After", "3");
                    send(exchange, 429, "application/problem+json",
                            "{\"status\":429,\"title\":\"Too many executions queued\",\"retryAfterSeconds\":3}");
                }
                case "huge" -> send(exchange, 200, "application/json",
                        "{\"verdict\":\"PASSED\",\"feedback\":\"" + "x".repeat(4 * ANSWER_CAP) + "\"}");
                case "slow" -> {
                    try {
                        Thread.sleep(4000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    send(exchange, 200, "application/json", "{\"verdict\":\"PASSED\"}");
                }
                case "crash" -> send(exchange, 500, "text/plain",
                        "java.lang.NullPointerException\n\tat org.iterpref.executor.Secret.run(Secret.java:1)");
                case "html-400" -> send(exchange, 400, "text/html", "<html><script>alert(1)</script></html>");
                default -> send(exchange, 200, "application/json", "{\"verdict\":\"PASSED\",\"passed\":0}");
            }
        }

        static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", type);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}

package org.iterpref.cli.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The retries of an idempotent POST are bounded: five attempts, all with one key, then the last error. */
class IdempotentPostTest {

    HttpServer server;
    final List<String> keys = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/generation-runs", x -> {
            x.getRequestBody().readAllBytes();
            keys.add(String.valueOf(x.getRequestHeaders().getFirst("Idempotency-Key")));
            byte[] body = "{\"error\":{\"message\":\"down\"}}".getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", "application/json");
            x.sendResponseHeaders(502, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void retriesAreBoundedToFiveAttempts() {
        List<String> notices = new ArrayList<>();
        IdempotentPost post = new IdempotentPost(new ApiClient("http://127.0.0.1:" + server.getAddress().getPort()
                + "/v1", null, Duration.ofSeconds(10)), List.of(Duration.ofMillis(1), Duration.ofMillis(1),
                Duration.ofMillis(1), Duration.ofMillis(1)), notices::add);

        assertThatThrownBy(() -> post.send("/generation-runs", Map.of("taskSet", "s")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(502));
        assertThat(keys).hasSize(5).containsOnly(keys.get(0));
        assertThat(notices).hasSize(4);
        assertThat(IdempotentPost.BACKOFF).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(4));
    }
}

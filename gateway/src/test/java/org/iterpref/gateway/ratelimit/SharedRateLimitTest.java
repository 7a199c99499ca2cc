package org.iterpref.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.iterpref.gateway.support.GatewayInstance;
import org.iterpref.gateway.support.Http;
import org.iterpref.gateway.support.Keys;
import org.iterpref.gateway.support.StubUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Two gateway replicas on one database share each key's token bucket. */
class SharedRateLimitTest {

    static StubUpstream upstream;
    static GatewayInstance first;
    static GatewayInstance second;

    @BeforeAll
    static void start() {
        upstream = new StubUpstream();
        Map<String, Object> defaults = Map.of("iterpref.gateway.rate-limit.requests-per-minute", 1,
                "iterpref.gateway.rate-limit.burst", 4);
        first = GatewayInstance.start("ratelimit", upstream.baseUrl(), defaults);
        second = GatewayInstance.start("ratelimit", upstream.baseUrl(), defaults);
    }

    @AfterAll
    static void stop() {
        first.close();
        second.close();
        upstream.close();
    }

    @Test
    void shouldShareOneBucketPerKeyAcrossReplicas() throws Exception {
        String key = Keys.create(first, "shared", "\"read\"", ",\"requestsPerMinute\":1,\"burst\":3");

        assertThat(Http.get(first.url("/api/tasks"), "X-API-Key", key).statusCode()).isEqualTo(200);
        assertThat(Http.get(second.url("/api/tasks"), "X-API-Key", key).statusCode()).isEqualTo(200);
        assertThat(Http.get(first.url("/api/tasks"), "X-API-Key", key).statusCode()).isEqualTo(200);
        HttpResponse<String> api = Http.get(second.url("/api/tasks"), "X-API-Key", key);
        HttpResponse<String> v1 = Http.get(first.url("/v1/models"), "X-API-Key", key);

        assertThat(api.statusCode()).isEqualTo(429);
        assertThat(api.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        long retryAfter = Long.parseLong(api.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).as("one token a minute: the next comes in about a minute").isBetween(50L, 60L);
        assertThat(Http.json(api).get("status").asInt()).isEqualTo(429);
        assertThat(v1.statusCode()).isEqualTo(429);
        assertThat(v1.headers().firstValue("Retry-After")).isPresent();
        JsonNode error = Http.json(v1).get("error");
        assertThat(error.get("code").asString()).isEqualTo("rate_limit_exceeded");
    }

    @Test
    void shouldGrantExactlyTheBurstToConcurrentRequestsOnBothReplicas() throws Exception {
        String key = Keys.create(first, "concurrent", "\"read\"", ",\"requestsPerMinute\":1,\"burst\":5");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                GatewayInstance replica = i % 2 == 0 ? first : second;
                statuses.add(pool.submit(() -> Http.get(replica.url("/api/tasks"), "X-API-Key", key).statusCode()));
            }
            List<Integer> results = new ArrayList<>();
            for (Future<Integer> status : statuses) {
                results.add(status.get());
            }
            assertThat(results).filteredOn(s -> s == 200).hasSize(5);
            assertThat(results).filteredOn(s -> s == 429).hasSize(11);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldGiveEachKeyItsOwnBucketWithTheDefaultRate() throws Exception {
        String noisy = Keys.create(first, "noisy", "\"read\"", ",\"requestsPerMinute\":1,\"burst\":1");
        String quiet = Keys.create(first, "quiet", "\"read\"");
        assertThat(Http.get(first.url("/api/tasks"), "X-API-Key", noisy).statusCode()).isEqualTo(200);
        assertThat(Http.get(second.url("/api/tasks"), "X-API-Key", noisy).statusCode()).isEqualTo(429);

        List<Integer> quietStatuses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            quietStatuses.add(Http.get((i % 2 == 0 ? first : second).url("/api/tasks"), "X-API-Key", quiet)
                    .statusCode());
        }
        assertThat(quietStatuses).containsExactly(200, 200, 200, 200, 429);
    }
}

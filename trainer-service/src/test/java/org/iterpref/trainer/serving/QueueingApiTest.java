package org.iterpref.trainer.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.iterpref.trainer.TrainerApplication;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Requests beyond the parallelism wait in a bounded queue; a full queue or a long wait is a 429. */
@SpringBootTest(classes = TrainerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"iterpref.trainer.max-concurrent-requests=1", "iterpref.trainer.max-queued-requests=1",
                "iterpref.trainer.queue-timeout=1500ms"})
class QueueingApiTest {

    private static final String COMPLETION =
            "{\"model\":\"tiny-qwen2\",\"prompt\":[1,2,3],\"max_tokens\":4,\"temperature\":0}";
    private static final String CHAT = "{\"model\":\"tiny-qwen2\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
            + "\"max_tokens\":4,\"stream\":true}";

    @LocalServerPort
    int port;

    @Autowired
    ConcurrencyLimiter limiter;

    private void awaitQueued(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (limiter.queued() != count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(limiter.queued()).isEqualTo(count);
    }

    @Test
    void aQueuedRequestRunsOnceTheSlotIsFreeAndAFullQueueIs429() throws Exception {
        ApiClient api = new ApiClient(port);
        CompletableFuture<ApiClient.Reply> queued;
        try (ConcurrencyLimiter.Permit busy = limiter.acquire()) {
            queued = CompletableFuture.supplyAsync(() -> {
                try {
                    return api.post("/v1/completions", COMPLETION);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            awaitQueued(1);
            ApiClient.Reply refused = api.post("/v1/completions", COMPLETION);
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.retryAfter()).isEqualTo("1");
            assertThat(refused.body().get("error").get("type").asString()).isEqualTo("rate_limit_error");
            ApiClient.Events refusedStream = api.stream("/v1/chat/completions", CHAT);
            assertThat(refusedStream.status()).as("a stream is refused before it starts").isEqualTo(429);
            assertThat(queued).isNotDone();
        }
        ApiClient.Reply served = queued.get();
        assertThat(served.status()).isEqualTo(200);
        assertThat(served.body().get("usage").get("completion_tokens").intValue()).isEqualTo(4);
        assertThat(limiter.queued()).isZero();
        assertThat(limiter.available()).isEqualTo(1);
    }

    @Test
    void aRequestThatWaitsLongerThanTheQueueTimeoutIs429() throws Exception {
        ApiClient api = new ApiClient(port);
        try (ConcurrencyLimiter.Permit busy = limiter.acquire()) {
            long start = System.nanoTime();
            ApiClient.Reply reply = api.post("/v1/completions", COMPLETION);
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertThat(reply.status()).isEqualTo(429);
            assertThat(waited).as("waited for the queue timeout first").isGreaterThanOrEqualTo(1400);
        }
        assertThat(api.post("/v1/completions", COMPLETION).status()).isEqualTo(200);
    }
}

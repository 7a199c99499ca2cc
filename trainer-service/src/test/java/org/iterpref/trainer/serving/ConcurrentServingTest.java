package org.iterpref.trainer.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.iterpref.trainer.TrainerApplication;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Many requests at once on one shared model — whole and streamed, greedy and seeded sampling, more
 * than the slots and the queue's share of them — each get exactly what they get alone: sessions
 * share the weights, never a cache or a random source.
 */
@SpringBootTest(classes = TrainerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"iterpref.trainer.max-concurrent-requests=3", "iterpref.trainer.max-queued-requests=64"})
class ConcurrentServingTest {

    private static final List<String> PROMPTS = List.of("def add(a, b):", "class Stack:", "import os\n",
            "for i in range(10):", "# sort a list", "print(");

    @LocalServerPort
    int port;

    @Autowired
    ConcurrencyLimiter limiter;

    private static String body(int i) {
        return "{\"model\":\"tiny-qwen2\",\"prompt\":" + ApiClient.JSON.writeValueAsString(PROMPTS.get(i % PROMPTS.size()))
                + ",\"max_tokens\":24," + (i % 2 == 0 ? "\"temperature\":0" : "\"temperature\":0.9,\"seed\":" + i)
                + ",\"logprobs\":1}";
    }

    private static String text(ApiClient api, int i, boolean stream) throws Exception {
        if (!stream) {
            ApiClient.Reply reply = api.post("/v1/completions", body(i));
            assertThat(reply.status()).isEqualTo(200);
            JsonNode choice = reply.body().get("choices").get(0);
            return choice.get("text").asString() + "|" + choice.get("logprobs").get("token_logprobs");
        }
        ApiClient.Events events = api.stream("/v1/completions", body(i).replace("}", ",\"stream\":true}"));
        assertThat(events.done()).isTrue();
        StringBuilder text = new StringBuilder();
        List<Double> logprobs = new ArrayList<>();
        for (JsonNode chunk : events.chunks()) {
            JsonNode choice = chunk.get("choices").get(0);
            text.append(choice.get("text").asString());
            if (!choice.get("logprobs").isNull()) {
                choice.get("logprobs").get("token_logprobs").forEach(v -> logprobs.add(v.doubleValue()));
            }
        }
        return text + "|" + ApiClient.JSON.writeValueAsString(logprobs);
    }

    @Test
    void concurrentRequestsGetWhatTheyGetAlone() throws Exception {
        ApiClient api = new ApiClient(port);
        int requests = 24;
        List<String> alone = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            alone.add(text(api, i, false));
        }
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<String>> together = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                int index = i;
                together.add(pool.submit(() -> text(api, index, index % 3 == 0)));
            }
            for (int i = 0; i < requests; i++) {
                assertThat(together.get(i).get()).as("request %d", i).isEqualTo(alone.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(limiter.available()).isEqualTo(3);
        assertThat(limiter.queued()).isZero();
    }
}

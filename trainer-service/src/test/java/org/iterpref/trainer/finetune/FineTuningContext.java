package org.iterpref.trainer.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.iterpref.trainer.HttpApi;
import org.iterpref.trainer.TrainerApplication;
import org.iterpref.trainer.feed.FeedServer;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The trainer with one fine-tuning worker driving the {@link FakeEngine}, a short lease, and a
 * local pair feed on the allow-list, which is also the default feed. Test classes extending it share one application context.
 */
@SpringBootTest(classes = TrainerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"iterpref.trainer.fine-tuning.lease-seconds=3", "iterpref.trainer.fine-tuning.poll-interval-ms=100",
                "iterpref.trainer.pair-feeds.backoff=100ms", "iterpref.trainer.pair-feeds.max-attempts=2",
                "iterpref.trainer.pair-feeds.page-size=3"})
@Import(FakeEngineConfiguration.class)
abstract class FineTuningContext {

    /** One feed server for the test JVM: the allow-list is fixed when the shared context starts. */
    static final class Feed {
        static final FeedServer SERVER = FeedServer.start();
    }

    @DynamicPropertySource
    static void feeds(DynamicPropertyRegistry registry) {
        registry.add("iterpref.trainer.pair-feeds.allowed-urls[0]", Feed.SERVER::root);
        registry.add("iterpref.trainer.pair-feeds.default-url", Feed.SERVER::feedUrl);
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected FakeEngine engine;

    protected HttpApi api;

    @BeforeEach
    void client() {
        api = new HttpApi(port);
        engine.stepDelayMs = 0;
    }

    static String trlLine(int i) {
        return HttpApi.JSON.writeValueAsString(Map.of("prompt", "Write f " + i + ".",
                "chosen", "def f(x):\n    return x + " + i + "\n", "rejected", "def f(x):\n    return x - " + i + "\n"));
    }

    /** Uploads {@code count} pairs (the first chosen text replaced when {@code firstChosen} is given). */
    String upload(int count, String firstChosen) throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < count; i++) {
            lines.append(i == 0 && firstChosen != null ? HttpApi.JSON.writeValueAsString(Map.of("prompt", "p",
                    "chosen", firstChosen, "rejected", "nope\n")) : trlLine(i)).append('\n');
        }
        HttpApi.Reply reply = api.upload("pairs.jsonl", lines.toString().getBytes(StandardCharsets.UTF_8),
                "purpose", "fine-tune");
        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        return reply.body().get("id").asString();
    }

    String create(Map<String, Object> body) throws Exception {
        HttpApi.Reply reply = api.post("/v1/fine_tuning/jobs", body);
        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        return reply.body().get("id").asString();
    }

    JsonNode job(String id) throws Exception {
        return api.get("/v1/fine_tuning/jobs/" + id).body();
    }

    JsonNode awaitStatus(String id, String status) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            last[0] = job(id);
            assertThat(last[0].get("status").asString()).as(last[0].toString()).isEqualTo(status);
        });
        return last[0];
    }

    List<JsonNode> events(String id) throws Exception {
        return api.get("/v1/fine_tuning/jobs/" + id + "/events?limit=100").body().get("data").valueStream().toList();
    }

    static Map<String, Object> dpo(Object... hyperparameters) {
        Map<String, Object> values = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < hyperparameters.length; i += 2) {
            values.put((String) hyperparameters[i], hyperparameters[i + 1]);
        }
        return Map.of("type", "dpo", "dpo", Map.of("hyperparameters", values));
    }
}

package org.iterpref.generator.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.iterpref.common.pair.CharSpan;
import org.iterpref.common.pair.ErrorRegion;
import org.iterpref.generator.support.ExampleTasks;
import org.iterpref.generator.support.GeneratorClient;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A run that makes the same pair twice (two samples of a task with the same bug), a pair an earlier
 * run had kept, serves it once: the repeat is a DUPLICATE, as it is when the run kept the pair
 * itself — so a rerun's pairs equal the first run's. (Found by the reliability suite's faults test:
 * its rerun served a pair twice.)
 */
class RepeatedKnownPairTest extends GeneratorIntegrationTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, RepeatedKnownPairTest.class);
    }

    @Autowired
    PairRepository pairs;

    @Test
    void aPairARerunMakesTwiceIsServedOnceInItsFeed() {
        GeneratorClient client = client();
        client.post("/v1/tasks/import?format=jsonl&set=rerun", "application/x-ndjson", ExampleTasks.first(4));
        run(client);
        String rerun = run(client);
        List<JsonNode> known = feed(client, rerun);
        assertThat(known).as("the rerun's pairs, all stored by the first run").isNotEmpty()
                .allSatisfy(p -> assertThat(p.get("alreadyStored").asBoolean()).isTrue());

        JsonNode pair = known.get(0);
        String rejected = pair.get("rejected").asString();
        FilterReason reason = pairs.insert(new PairDraft(PairBuilder.GENERATED, UUID.fromString(rerun), "rerun", null,
                UUID.fromString(pair.get("taskId").asString()), null, null, pair.get("prompt").asString(),
                pair.get("chosen").asString(), rejected,
                new ErrorRegion(List.of(new CharSpan(0, rejected.codePointCount(0, rejected.length()))), 1, 1),
                true, null));

        assertThat(reason).isEqualTo(FilterReason.DUPLICATE);
        assertThat(feed(client, rerun)).as("the rerun's feed after it made one of its pairs again")
                .hasSameSizeAs(known);
        JsonNode stats = client.get("/v1/pairs/stats?run=" + rerun).body();
        assertThat(stats.get("alreadyStored").asLong()).as(stats.toString()).isEqualTo(known.size());
    }

    private static String run(GeneratorClient client) {
        var run = client.post("/v1/generation-runs", Map.of("taskSet", "rerun", "source", Map.of("type",
                "bug-injection"), "maxIterations", 3, "seed", 5, "pairPolicy", "last"));
        assertThat(run.status()).as(run.raw()).isEqualTo(202);
        String id = run.body().get("id").asString();
        await().atMost(Duration.ofMinutes(2)).until(() ->
                client.get("/v1/generation-runs/" + id).body().get("status").asString().equals("COMPLETED"));
        return id;
    }

    private static List<JsonNode> feed(GeneratorClient client, String run) {
        List<JsonNode> all = new ArrayList<>();
        client.get("/v1/pairs?limit=1000&run=" + run).body().get("pairs").forEach(all::add);
        return all;
    }
}

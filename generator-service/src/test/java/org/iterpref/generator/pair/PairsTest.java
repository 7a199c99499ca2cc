package org.iterpref.generator.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.iterpref.generator.support.ExampleTasks;
import org.iterpref.generator.support.GeneratorClient;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Pairs from passing bug-injection trajectories: the feed, the TRL export, duplicates and stats. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PairsTest extends GeneratorIntegrationTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, PairsTest.class);
    }

    String allRun;
    String lastRun;

    String run(GeneratorClient client, String set, String policy) {
        var run = client.post("/v1/generation-runs", Map.of("taskSet", set, "source", Map.of("type", "bug-injection"),
                "maxIterations", 5, "seed", 11, "pairPolicy", policy));
        assertThat(run.status()).as(run.raw()).isEqualTo(202);
        String id = run.body().get("id").asString();
        await().atMost(Duration.ofMinutes(2)).until(() ->
                client.get("/v1/generation-runs/" + id).body().get("status").asString().equals("COMPLETED"));
        return id;
    }

    @BeforeAll
    void generate() {
        GeneratorClient client = client();
        client.post("/v1/tasks/import?format=jsonl&set=pairs", "application/x-ndjson", ExampleTasks.first(8));
        allRun = run(client, "pairs", "all");
        lastRun = run(client, "pairs", "last");
    }

    List<JsonNode> feed(String query) {
        List<JsonNode> all = new ArrayList<>();
        long after = 0;
        while (true) {
            JsonNode page = client().get("/v1/pairs?after=" + after + "&limit=3&" + query).body();
            page.get("pairs").forEach(all::add);
            if (page.get("pairs").isEmpty()) {
                return all;
            }
            after = page.get("next").asLong();
        }
    }

    static String slice(String text, int start, int end) {
        int[] cps = text.codePoints().toArray();
        return new String(cps, start, end - start);
    }

    @Test
    void policyAllPairsEveryFailingIterationWithTheFinalCode() {
        List<JsonNode> pairs = feed("run=" + allRun);
        assertThat(pairs).isNotEmpty();
        long previous = 0;
        for (JsonNode pair : pairs) {
            assertThat(pair.get("feedPosition").asLong()).isGreaterThan(previous);
            previous = pair.get("feedPosition").asLong();
            assertThat(pair.get("synthetic").asBoolean()).isTrue();
            assertThat(pair.get("rejectedIteration").asInt()).isLessThan(pair.get("chosenIteration").asInt());
            JsonNode spans = pair.get("errorSpans");
            assertThat(spans).isNotEmpty();
            String rejected = pair.get("rejected").asString();
            int start = spans.get(0).get(0).asInt();
            int end = spans.get(0).get(1).asInt();
            // spans cover whole lines of the rejected code, counted in code points
            assertThat(start == 0 || slice(rejected, start - 1, start).equals("\n")).isTrue();
            assertThat(end == rejected.codePointCount(0, rejected.length())
                    || slice(rejected, end - 1, end).equals("\n")).isTrue();
            assertThat(pair.get("rejected").asString()).isNotEqualTo(pair.get("chosen").asString());
        }
        JsonNode trajectories = client().get("/v1/trajectories?run=" + allRun).body().get("trajectories");
        int failingIterations = 0;
        for (JsonNode t : trajectories) {
            failingIterations += t.get("iterationCount").asInt() - 1;
        }
        JsonNode stats = client().get("/v1/pairs/stats?run=" + allRun).body();
        long filtered = 0;
        for (JsonNode n : stats.get("filtered")) {
            filtered += n.asLong();
        }
        assertThat(stats.get("kept").asLong() + filtered).isEqualTo(failingIterations);
        assertThat(stats.get("kept").asLong()).isEqualTo(pairs.size());
        assertThat(stats.get("regionLines").get("max").asInt()).isPositive();
    }

    @Test
    void aRunServesThePairsItMadeThatEarlierRunsHadStoredAndSaysSo() {
        // the same tasks, seed and mutations as the ALL run: each LAST pair repeats one the ALL run stored
        JsonNode stats = client().get("/v1/pairs/stats?run=" + lastRun).body();
        assertThat(stats.get("kept").asLong()).as(stats.toString()).isZero();
        assertThat(stats.get("alreadyStored").asLong()).as(stats.toString()).isEqualTo(8);
        assertThat(stats.get("filtered").has("DUPLICATE")).as(stats.toString()).isFalse();
        assertThat(stats.get("regionLines").get("max").asInt()).isPositive();

        List<JsonNode> repeated = feed("run=" + lastRun);
        assertThat(repeated).hasSize(8);
        List<String> earlier = feed("run=" + allRun).stream().map(PairsTest::content).toList();
        for (JsonNode pair : repeated) {
            assertThat(pair.get("alreadyStored").asBoolean()).isTrue();
            assertThat(pair.get("runId").asString()).isEqualTo(lastRun);
            assertThat(earlier).contains(content(pair));
        }
        assertThat(feed("run=" + allRun)).allSatisfy(p -> assertThat(p.get("alreadyStored").asBoolean()).isFalse());
        // the set's feed and export serve each pair once: the repeats stay out of them
        assertThat(feed("set=pairs")).hasSize(earlier.size());
        List<String> exported = client().get("/v1/pairs/export?format=trl&run=" + lastRun).raw().lines().toList();
        assertThat(exported).hasSize(8);
        JsonNode line = JsonMapper.builder().build().readTree(exported.get(0));
        assertThat(line.get("metadata").get("already_stored").asBoolean()).isTrue();
    }

    private static String content(JsonNode pair) {
        return pair.get("prompt").asString() + "\u0000" + pair.get("chosen").asString() + "\u0000"
                + pair.get("rejected").asString() + "\u0000" + pair.get("errorSpans");
    }

    @Test
    void exportIsTrlJsonlWithSpansIndexingTheRejectedString() {
        var reply = client().get("/v1/pairs/export?format=trl&set=pairs");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("application/x-ndjson");
        JsonMapper json = JsonMapper.builder().build();
        List<String> lines = reply.raw().lines().toList();
        assertThat(lines).hasSize(feed("set=pairs").size());
        JsonNode first = json.readTree(lines.get(0));
        assertThat(first.propertyNames()).contains("prompt", "chosen", "rejected", "error_spans", "metadata");
        assertThat(first.get("metadata").get("synthetic").asBoolean()).isTrue();
        assertThat(first.get("error_spans").get(0).get(1).asInt()).isGreaterThan(first.get("error_spans").get(0).get(0).asInt());
    }

    @Test
    void badFeedParametersAreProblems() {
        assertThat(client().get("/v1/pairs?limit=0").body().get("field").asString()).isEqualTo("limit");
        assertThat(client().get("/v1/pairs?after=-1").body().get("field").asString()).isEqualTo("after");
        assertThat(client().get("/v1/pairs/export?format=csv").body().get("field").asString()).isEqualTo("format");
        assertThat(client().get("/v1/pairs?run=not-a-uuid").body().get("field").asString()).isEqualTo("run");
    }
}

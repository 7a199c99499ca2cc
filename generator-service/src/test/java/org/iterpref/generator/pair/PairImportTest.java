package org.iterpref.generator.pair;

import static org.assertj.core.api.Assertions.assertThat;

import org.iterpref.generator.support.GeneratorClient;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** Importing Target-DPO-style pairs: fenced completions, spans computed or given, bad records by index. */
class PairImportTest extends GeneratorIntegrationTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, PairImportTest.class);
    }

    static final String PROMPT = "Write inc(x).";
    static final String CHOSEN = "Here is the fix:\\n```python\\ndef inc(x):\\n    return x + 1\\n```\\n";
    static final String REJECTED = "Sure! 😀\\n```python\\ndef inc(x):\\n    return x - 1\\n```\\n";

    @Test
    void jsonlWithFencedCompletionsGetsSpansRelativeToTheCompletion() {
        String jsonl = "{\"prompt\": \"" + PROMPT + "\", \"chosen\": \"" + CHOSEN + "\", \"rejected\": \"" + REJECTED + "\"}\n"
                + "{\"prompt\": \"x\", \"chosen\": 3}\n"
                + "not json\n"
                + "{\"prompt\": \"p\", \"chosen\": \"a\\n\", \"rejected\": \"a\\n\"}\n";
        GeneratorClient client = client();
        var reply = client.post("/v1/pairs/import?set=imported", "application/x-ndjson", jsonl);
        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        JsonNode report = reply.body();
        assertThat(report.get("records").asInt()).isEqualTo(4);
        assertThat(report.get("kept").asInt()).isEqualTo(1);
        assertThat(report.get("filtered").get("EMPTY_REGION").asInt()).isEqualTo(1);
        assertThat(report.get("errors").get(0).get("index").asInt()).isEqualTo(1);
        assertThat(report.get("errors").get(0).get("message").asString()).contains("chosen");
        assertThat(report.get("errors").get(1).get("index").asInt()).isEqualTo(2);

        JsonNode pair = client.get("/v1/pairs?set=imported").body().get("pairs").get(0);
        String rejected = pair.get("rejected").asString();
        int start = pair.get("errorSpans").get(0).get(0).asInt();
        int end = pair.get("errorSpans").get(0).get(1).asInt();
        int[] cps = rejected.codePoints().toArray();
        assertThat(new String(cps, start, end - start)).isEqualTo("    return x - 1\n");
        assertThat(pair.get("origin").asString()).isEqualTo("IMPORTED");
    }

    @Test
    void jsonArrayWithGivenSpansIsValidated() {
        String array = "[{\"prompt\": \"p1\", \"chosen\": \"a = 1\\nb = 2\\n\", \"rejected\": \"a = 1\\nb = 3\\n\", "
                + "\"error_spans\": [[6, 12]], \"synthetic\": true},"
                + " {\"prompt\": \"p2\", \"chosen\": \"x\\n\", \"rejected\": \"y\\n\", \"error_spans\": [[0, 99]]}]";
        var reply = client().post("/v1/pairs/import?set=given", "application/json", array);
        assertThat(reply.body().get("kept").asInt()).as(reply.raw()).isEqualTo(1);
        assertThat(reply.body().get("errors").get(0).get("index").asInt()).isEqualTo(1);
        assertThat(reply.body().get("errors").get(0).get("message").asString()).contains("error_spans");
        JsonNode pair = client().get("/v1/pairs?set=given").body().get("pairs").get(0);
        assertThat(pair.get("errorSpans").get(0).get(0).asInt()).isEqualTo(6);
        assertThat(pair.get("synthetic").asBoolean()).isTrue();
    }

    @Test
    void reImportingAnExportKeepsSyntheticPairsSynthetic() {
        String pair = "{\"prompt\": \"re-import\", \"chosen\": \"a = 1\\nb = 2\\n\", \"rejected\": \"a = 1\\nb = 3\\n\", "
                + "\"synthetic\": true}\n";
        assertThat(client().post("/v1/pairs/import?set=synthetic-source", "application/x-ndjson", pair).body()
                .get("kept").asInt()).isEqualTo(1);
        var export = client().get("/v1/pairs/export?format=trl&set=synthetic-source");
        assertThat(export.status()).isEqualTo(200);
        // pairs are stored once whatever their set: the copy gets its own prompt, as it would in
        // another database
        String exported = export.raw().replace("\"re-import\"", "\"re-import, elsewhere\"");
        assertThat(exported).contains("\"metadata\"", "re-import, elsewhere").doesNotContain("\"synthetic\":true,\"metadata");
        var reply = client().post("/v1/pairs/import?set=synthetic-again", "application/x-ndjson", exported);
        assertThat(reply.body().get("kept").asInt()).as(reply.raw()).isEqualTo(1);
        JsonNode again = client().get("/v1/pairs?set=synthetic-again").body().get("pairs").get(0);
        assertThat(again.get("synthetic").asBoolean()).as(again.toString()).isTrue();
        assertThat(again.get("errorSpans")).isEqualTo(
                client().get("/v1/pairs?set=synthetic-source").body().get("pairs").get(0).get("errorSpans"));
    }

    @Test
    void givenSpansMustCoverWholeLinesAndSyntheticMustBeABoolean() {
        String jsonl = "{\"prompt\": \"p\", \"chosen\": \"a = 1\\nb = 2\\n\", \"rejected\": \"a = 1\\nb = 3\\n\", "
                + "\"error_spans\": [[8, 12]]}\n"
                + "{\"prompt\": \"p\", \"chosen\": \"a = 1\\nb = 2\\n\", \"rejected\": \"a = 1\\nb = 3\\n\", "
                + "\"error_spans\": [[6, 11]]}\n"
                + "{\"prompt\": \"p\", \"chosen\": \"a = 1\\nb = 2\\n\", \"rejected\": \"a = 1\\nb = 3\\n\", "
                + "\"metadata\": {\"synthetic\": \"yes\"}}\n"
                + "{\"prompt\": \"whole lines\", \"chosen\": \"a = 1\\nb = 2\", \"rejected\": \"a = 1\\nb = 3\", "
                + "\"error_spans\": [[6, 11]]}\n";
        var reply = client().post("/v1/pairs/import?set=partial-lines", "application/x-ndjson", jsonl);
        JsonNode report = reply.body();
        assertThat(report.get("kept").asInt()).as(reply.raw()).isEqualTo(1);
        assertThat(report.get("errors").size()).isEqualTo(3);
        assertThat(report.get("errors").get(0).get("message").asString()).contains("error_spans", "whole lines");
        assertThat(report.get("errors").get(1).get("message").asString()).contains("error_spans", "whole lines");
        assertThat(report.get("errors").get(2).get("message").asString()).contains("metadata.synthetic");
    }

    @Test
    void missingSetIsAProblem() {
        var reply = client().post("/v1/pairs/import", "application/json", "[]");
        assertThat(reply.status()).isEqualTo(400);
    }
}

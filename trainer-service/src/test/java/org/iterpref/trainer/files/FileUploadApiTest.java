package org.iterpref.trainer.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.iterpref.common.pair.CharSpan;
import org.iterpref.common.pair.ErrorRegionFinder;
import org.iterpref.trainer.ApiOnlyContext;
import org.iterpref.trainer.HttpApi;
import org.iterpref.trainer.dpo.TrainingPair;
import org.iterpref.trainer.storage.PairFiles;
import org.iterpref.trainer.storage.Storage;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/files} and the rest of the Files API over real HTTP: both pair formats, error
 * spans computed and given, bad lines reported by number, and every limit.
 */
class FileUploadApiTest extends ApiOnlyContext {

    static final String CHOSEN = "Here is the fix:\n```python\ndef add(a, b):\n    return a + b\n```\n";
    static final String REJECTED = "Here is my code:\n```python\ndef add(a, b):\n    return a - b\n```\n";

    @Autowired
    Storage storage;

    @Autowired
    PairFiles pairFiles;

    static String openAiLine(String prompt, String chosen, String rejected) {
        return HttpApi.JSON.writeValueAsString(Map.of("input", Map.of("messages", List.of(
                        Map.of("role", "system", "content", "You write Python."),
                        Map.of("role", "user", "content", prompt))),
                "preferred_output", List.of(Map.of("role", "assistant", "content", chosen)),
                "non_preferred_output", List.of(Map.of("role", "assistant", "content", rejected))));
    }

    static String trlLine(String prompt, String chosen, String rejected) {
        return HttpApi.JSON.writeValueAsString(Map.of("prompt", prompt, "chosen", chosen, "rejected", rejected));
    }

    private HttpApi.Reply upload(String... lines) throws Exception {
        return api.upload("pairs.jsonl", (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8),
                "purpose", "fine-tune");
    }

    private List<TrainingPair> stored(String fileId) {
        return pairFiles.read(storage.fileDir(fileId).resolve("pairs.jsonl"));
    }

    @Test
    void givenOpenAiDpoLines_whenUploaded_thenAFileObjectComesBackAndSpansAreComputedInTheCompletion() throws Exception {
        HttpApi.Reply reply = upload(openAiLine("Write add(a, b).", CHOSEN, REJECTED),
                openAiLine("Write add again.", CHOSEN, REJECTED));

        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        JsonNode file = reply.body();
        assertThat(file.get("id").asString()).startsWith("file-");
        assertThat(file.get("object").asString()).isEqualTo("file");
        assertThat(file.get("purpose").asString()).isEqualTo("fine-tune");
        assertThat(file.get("status").asString()).isEqualTo("processed");
        assertThat(file.get("status_details").isNull()).isTrue();
        assertThat(file.get("filename").asString()).isEqualTo("pairs.jsonl");
        assertThat(file.get("bytes").asLong()).isPositive();
        assertThat(file.get("created_at").asLong()).isBetween(System.currentTimeMillis() / 1000 - 60,
                System.currentTimeMillis() / 1000 + 1);
        assertThat(file.get("pairs").asInt()).isEqualTo(2);

        List<TrainingPair> pairs = stored(file.get("id").asString());
        assertThat(pairs).hasSize(2);
        TrainingPair pair = pairs.get(0);
        assertThat(pair.messages()).extracting(TrainingPair.PromptMessage::role).containsExactly("system", "user");
        assertThat(pair.chosen()).isEqualTo(CHOSEN);
        assertThat(pair.errorSpans()).isEqualTo(new ErrorRegionFinder().findInCompletion(REJECTED, CHOSEN).spans());
        assertThat(pair.errorSpans()).singleElement().satisfies(span ->
                assertThat(span.slice(REJECTED)).isEqualTo("    return a - b\n"));
    }

    @Test
    void givenTrlLinesWithAndWithoutSpans_whenUploaded_thenGivenSpansAreKeptAndConversationsRead() throws Exception {
        String rejected = "x = 1\ny = 2\n";
        String withSpans = HttpApi.JSON.writeValueAsString(Map.of("prompt", "p", "chosen", "x = 1\ny = 3\n",
                "rejected", rejected, "error_spans", List.of(List.of(0, 6))));
        String conversational = HttpApi.JSON.writeValueAsString(Map.of(
                "prompt", List.of(Map.of("role", "user", "content", "Fix it."),
                        Map.of("role", "assistant", "content", "Which part?"),
                        Map.of("role", "user", "content", "The sum.")),
                "chosen", List.of(Map.of("role", "assistant", "content", CHOSEN)),
                "rejected", List.of(Map.of("role", "assistant", "content", REJECTED))));

        HttpApi.Reply reply = upload(withSpans, conversational, trlLine("Write add.", CHOSEN, REJECTED));

        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        List<TrainingPair> pairs = stored(reply.body().get("id").asString());
        assertThat(pairs).hasSize(3);
        assertThat(pairs.get(0).errorSpans()).containsExactly(new CharSpan(0, 6));
        assertThat(pairs.get(0).messages()).containsExactly(new TrainingPair.PromptMessage("user", "p"));
        assertThat(pairs.get(1).messages()).extracting(TrainingPair.PromptMessage::content)
                .containsExactly("Fix it.", "Which part?", "The sum.");
        assertThat(pairs.get(1).rejected()).isEqualTo(REJECTED);
        assertThat(pairs.get(2).errorSpans()).isEqualTo(pairs.get(1).errorSpans()).isNotEmpty();
    }

    @Test
    void givenBadLines_whenUploaded_thenTheyAreReportedByNumberAndTheGoodOnesKept() throws Exception {
        HttpApi.Reply reply = upload(
                trlLine("ok", CHOSEN, REJECTED),                                           // 1
                "{not json",                                                               // 2
                "{\"prompt\": \"p\", \"chosen\": \"a\"}",                                  // 3
                "{\"prompt\": \"p\", \"chosen\": \"a\\n\", \"rejected\": \"b\\n\", \"error_spans\": [[0, 99]]}", // 4
                "",                                                                        // 5 (blank: skipped)
                openAiLine("ok too", CHOSEN, REJECTED),                                    // 6
                "{\"input\": {\"messages\": [{\"role\": \"tool\", \"content\": \"x\"}]}, "
                        + "\"preferred_output\": [{\"role\": \"assistant\", \"content\": \"a\"}], "
                        + "\"non_preferred_output\": [{\"role\": \"assistant\", \"content\": \"b\"}]}", // 7
                "[1, 2, 3]",                                                               // 8
                trlLine("same", "a", "a"));                                                // 9

        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        JsonNode file = reply.body();
        assertThat(file.get("pairs").asInt()).isEqualTo(2);
        assertThat(file.get("bad_lines").asInt()).isEqualTo(6);
        String details = file.get("status_details").asString();
        assertThat(details).startsWith("6 of 8 lines could not be used")
                .contains("line 2: not valid JSON", "line 3: rejected", "line 4: error_spans",
                        "line 7: input.messages[0].role", "line 8: a line must be a JSON object", "line 9: ")
                .doesNotContain("line 1:", "line 5:", "line 6:");
    }

    @Test
    void givenMoreThanTwentyBadLines_whenUploaded_thenTheFirstTwentyAreNamedAndTheRestCounted() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add(trlLine("ok", CHOSEN, REJECTED));
        for (int i = 0; i < 25; i++) {
            lines.add("{\"bad\": " + i + "}");
        }

        HttpApi.Reply reply = upload(lines.toArray(String[]::new));

        String details = reply.body().get("status_details").asString();
        assertThat(details).contains("line 2:", "line 21:").doesNotContain("line 22:").endsWith("; and 5 more");
        assertThat(reply.body().get("bad_lines").asInt()).isEqualTo(25);
    }

    @Test
    void givenAFileWithoutAUsablePair_whenUploaded_thenItIsRefusedNamingTheFile() throws Exception {
        HttpApi.Reply empty = api.upload("empty.jsonl", new byte[0], "purpose", "fine-tune");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.errorParam()).isEqualTo("file");
        assertThat(empty.body().at("/error/message").asString()).contains("empty");
        assertThat(empty.body().at("/error/type").asString()).isEqualTo("invalid_request_error");

        HttpApi.Reply allBad = upload("{\"x\": 1}", "nope");
        assertThat(allBad.status()).isEqualTo(400);
        assertThat(allBad.errorParam()).isEqualTo("file");
        assertThat(allBad.body().at("/error/message").asString()).contains("line 1:", "line 2:");
    }

    @Test
    void givenAnUploadOverTheCap_whenSent_thenItIsRefusedWith413() throws Exception {
        byte[] big = new byte[MAX_FILE_BYTES + 10_000];
        java.util.Arrays.fill(big, (byte) '\n');

        HttpApi.Reply reply = api.upload("big.jsonl", big, "purpose", "fine-tune");

        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.errorParam()).isEqualTo("file");
    }

    @Test
    void givenALineOverTheLengthCap_whenUploaded_thenThatLineIsBadAndTheRestRead() throws Exception {
        String longLine = trlLine("x".repeat(MAX_LINE_CHARS), CHOSEN, REJECTED);

        HttpApi.Reply reply = upload(trlLine("ok", CHOSEN, REJECTED), longLine, trlLine("ok", CHOSEN, REJECTED));

        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        assertThat(reply.body().get("pairs").asInt()).isEqualTo(2);
        assertThat(reply.body().get("status_details").asString()).contains("line 2: longer than 20000 characters");
    }

    @Test
    void givenACompletionWithTooManyLines_whenUploaded_thenItsLineIsBadBeforeAnyDiffRuns() throws Exception {
        String manyLines = "\n".repeat(5000);

        HttpApi.Reply reply = upload(trlLine("ok", CHOSEN, REJECTED), trlLine("big", manyLines, "y\n"));

        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        assertThat(reply.body().get("status_details").asString()).contains("line 2: chosen has more than 5000 lines");
    }

    @Test
    void givenAWrongPurposeMissingFileOrUnknownField_whenUploaded_thenTheFieldIsNamed() throws Exception {
        byte[] content = (trlLine("ok", CHOSEN, REJECTED) + "\n").getBytes(StandardCharsets.UTF_8);
        assertThat(api.upload("a.jsonl", content, "purpose", "assistants").errorParam()).isEqualTo("purpose");
        assertThat(api.upload("a.jsonl", content).errorParam()).isEqualTo("purpose");
        assertThat(api.upload("a.jsonl", null, "purpose", "fine-tune").errorParam()).isEqualTo("file");
        HttpApi.Reply unknown = api.upload("a.jsonl", content, "purpose", "fine-tune", "colour", "blue");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.errorParam()).isEqualTo("colour");
    }

    @Test
    void givenAnUploadedFile_whenListedReadAndDeleted_thenItFollowsOpenAisShapes() throws Exception {
        byte[] content = (trlLine("ok", CHOSEN, REJECTED) + "\n").getBytes(StandardCharsets.UTF_8);
        String id = api.upload("../../etc/passwd", content, "purpose", "fine-tune").body().get("id").asString();

        HttpApi.Reply file = api.get("/v1/files/" + id);
        assertThat(file.body().get("filename").asString()).isEqualTo("passwd");
        JsonNode list = api.get("/v1/files?limit=100").body();
        assertThat(list.get("object").asString()).isEqualTo("list");
        assertThat(list.get("data").valueStream().map(f -> f.get("id").asString())).contains(id);
        assertThat(list.get("data").get(0).get("id").asString()).as("newest first").isEqualTo(id);
        assertThat(list.has("has_more")).isTrue();
        assertThat(api.bytes("/v1/files/" + id + "/content")).isEqualTo(content);

        HttpApi.Reply deleted = api.delete("/v1/files/" + id);
        assertThat(deleted.body().get("deleted").asBoolean()).isTrue();
        assertThat(deleted.body().get("object").asString()).isEqualTo("file");
        assertThat(api.get("/v1/files/" + id).status()).isEqualTo(404);
        assertThat(api.delete("/v1/files/" + id).status()).isEqualTo(404);
        assertThat(storage.fileDir(id)).doesNotExist();
        assertThat(api.get("/v1/files/file-nope").status()).isEqualTo(404);
    }

    @Test
    void givenAFileAJobUses_whenDeleted_thenItIsRefusedUntilTheJobIsCancelled() throws Exception {
        byte[] content = (trlLine("ok", CHOSEN, REJECTED) + "\n").getBytes(StandardCharsets.UTF_8);
        String id = api.upload("a.jsonl", content, "purpose", "fine-tune").body().get("id").asString();
        HttpApi.Reply job = api.post("/v1/fine_tuning/jobs", Map.of("model", "tiny-qwen2", "training_file", id));
        assertThat(job.status()).as(job.raw()).isEqualTo(200);

        HttpApi.Reply refused = api.delete("/v1/files/" + id);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.errorParam()).isEqualTo("id");

        api.post("/v1/fine_tuning/jobs/" + job.body().get("id").asString() + "/cancel", (String) null);
        // a job already training stops at its next step: until it has, the file is still in use (409)
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            int status = api.delete("/v1/files/" + id).status();
            assertThat(status).isIn(200, 409);
            return status == 200;
        });
        assertThat(Path.of(storage.fileDir(id).toString())).doesNotExist();
    }
}

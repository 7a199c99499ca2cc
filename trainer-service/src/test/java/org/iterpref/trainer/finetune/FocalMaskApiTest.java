package org.iterpref.trainer.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.iterpref.trainer.ApiOnlyContext;
import org.iterpref.trainer.HttpApi;
import org.iterpref.trainer.storage.PairLimits;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code POST /v1/fine_tuning/focal_mask}: the tokens of a rejected completion that focal DPO counts. */
class FocalMaskApiTest extends ApiOnlyContext {

    private static final String SNIPPET = "def f(x):\n    return x - 1\nprint(f(2))\n";
    /** Line 2 of {@link #SNIPPET} with its newline, in code points: {@code [10, 27)}. */
    private static final List<Integer> LINE_2 = List.of(10, 27);

    private HttpApi.Reply preview(Map<String, Object> body) throws Exception {
        return api.post("/v1/fine_tuning/focal_mask", body);
    }

    private static Map<String, Object> body(Object... fields) {
        Map<String, Object> body = new LinkedHashMap<>();
        for (int i = 0; i + 1 < fields.length; i += 2) {
            body.put((String) fields[i], fields[i + 1]);
        }
        return body;
    }

    @Test
    void givenASpanCoveringLineTwoOfThree_whenPreviewed_thenExactlyTheTokensOverlappingItAreFocal() throws Exception {
        HttpApi.Reply reply = preview(body("model", "tiny-qwen2", "rejected", SNIPPET, "error_spans", List.of(LINE_2)));

        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        JsonNode answer = reply.body();
        assertThat(answer.get("object").asString()).isEqualTo("focal_mask");
        assertThat(answer.get("model").asString()).isEqualTo("tiny-qwen2");
        StringBuilder text = new StringBuilder();
        StringBuilder focalText = new StringBuilder();
        int focal = 0;
        int previousEnd = 0;
        for (JsonNode token : answer.get("tokens")) {
            int start = token.get("start").asInt();
            int end = token.get("end").asInt();
            assertThat(start).as("tokens follow each other without gaps").isEqualTo(previousEnd);
            assertThat(token.get("text").asString()).isEqualTo(SNIPPET.substring(start, end));
            boolean overlaps = start < LINE_2.get(1) && end > LINE_2.get(0);
            assertThat(token.get("focal").asBoolean()).as("token [%d, %d)", start, end).isEqualTo(overlaps);
            text.append(token.get("text").asString());
            if (overlaps) {
                focal++;
                focalText.append(token.get("text").asString());
            }
            previousEnd = end;
        }
        assertThat(text.toString()).as("the tokens' offsets reassemble rejected; no end token").isEqualTo(SNIPPET);
        assertThat(focalText.toString()).contains("    return x - 1").doesNotContain("def").doesNotContain("print");
        assertThat(answer.get("focal_tokens").asInt()).isEqualTo(focal).isPositive();
        assertThat(answer.get("total_tokens").asInt()).isEqualTo(answer.get("tokens").size());
    }

    @Test
    void givenTextBeyondTheBasicPlane_whenPreviewed_thenOffsetsCountCodePoints() throws Exception {
        String rejected = "s = \"🙂\"\nt = 1\n";
        HttpApi.Reply reply = preview(body("model", "tiny-qwen2", "rejected", rejected, "error_spans",
                List.of(List.of(8, 14))));

        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        List<String> focal = new ArrayList<>();
        int lastEnd = 0;
        for (JsonNode token : reply.body().get("tokens")) {
            lastEnd = token.get("end").asInt();
            if (token.get("focal").asBoolean()) {
                focal.add(token.get("text").asString());
            }
        }
        assertThat(lastEnd).isEqualTo(rejected.codePointCount(0, rejected.length())).isEqualTo(14);
        assertThat(String.join("", focal)).isEqualTo("t = 1\n");
    }

    @Test
    void givenChosenInsteadOfSpans_whenPreviewed_thenTheRegionIsComputedAsForAnUploadedPair() throws Exception {
        HttpApi.Reply reply = preview(body("model", "tiny-qwen2", "rejected", SNIPPET,
                "chosen", "def f(x):\n    return x + 1\nprint(f(2))\n"));

        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        for (JsonNode token : reply.body().get("tokens")) {
            boolean overlaps = token.get("start").asInt() < LINE_2.get(1) && token.get("end").asInt() > LINE_2.get(0);
            assertThat(token.get("focal").asBoolean()).isEqualTo(overlaps);
        }
    }

    private void assertRefused(Map<String, Object> body, int status, String param) throws Exception {
        HttpApi.Reply reply = preview(body);
        assertThat(reply.status()).as(reply.raw()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/json");
        assertThat(reply.body().at("/error/type").asString()).isEqualTo("invalid_request_error");
        assertThat(reply.errorParam()).as(reply.raw()).isEqualTo(param);
        assertThat(reply.body().at("/error/message").asString()).isNotBlank();
    }

    @Test
    void givenBadFields_whenPreviewed_thenEachIsRefusedNamingTheField() throws Exception {
        List<List<Integer>> spans = List.of(LINE_2);
        assertRefused(body("model", "no-such-model", "rejected", SNIPPET, "error_spans", spans), 404, "model");
        assertThat(preview(body("model", "no-such-model", "rejected", SNIPPET, "error_spans", spans)).body()
                .at("/error/code").asString()).isEqualTo("model_not_found");
        assertRefused(body("rejected", SNIPPET, "error_spans", spans), 400, "model");
        assertRefused(body("model", " ", "rejected", SNIPPET, "error_spans", spans), 400, "model");
        assertRefused(body("model", "tiny-qwen2", "error_spans", spans), 400, "rejected");
        assertRefused(body("model", "tiny-qwen2", "rejected", " \n ", "error_spans", List.of()), 400, "rejected");
        assertRefused(body("model", "tiny-qwen2", "rejected", 5, "error_spans", spans), 400, "rejected");
        assertThat(preview(body("model", "tiny-qwen2", "rejected", "x".repeat(PairLimits.MAX_COMPLETION_CHARS + 1),
                "error_spans", List.of())).status()).as("the service's 1 MiB body cap comes before the pair limits")
                .isEqualTo(413);
        assertRefused(body("model", "tiny-qwen2", "rejected", "x\n".repeat(PairLimits.MAX_COMPLETION_LINES),
                "error_spans", List.of()), 400, "rejected");
        assertRefused(body("model", "tiny-qwen2", "rejected", SNIPPET), 400, "error_spans");
        assertRefused(body("model", "tiny-qwen2", "rejected", SNIPPET, "error_spans", List.of(List.of(0, 999))), 400,
                "error_spans");
        assertRefused(body("model", "tiny-qwen2", "rejected", SNIPPET, "error_spans", List.of(List.of(5, 5))), 400,
                "error_spans");
        assertRefused(body("model", "tiny-qwen2", "rejected", SNIPPET, "error_spans",
                List.of(List.of(10, 27), List.of(0, 5))), 400, "error_spans");
        assertRefused(body("model", "tiny-qwen2", "rejected", SNIPPET, "error_spans", List.of(List.of(1.5, 3))), 400,
                "error_spans");
        assertRefused(body("model", "tiny-qwen2", "rejected", SNIPPET, "error_spans", "10-27"), 400, "error_spans");
        assertRefused(body("model", "tiny-qwen2", "rejected", SNIPPET, "error_spans", List.of(List.of(-1, 3))), 400,
                "error_spans");
        assertRefused(body("model", "tiny-qwen2", "rejected", SNIPPET, "chosen", 3), 400, "chosen");
        assertRefused(body("model", "tiny-qwen2", "rejected", SNIPPET, "error_spans", spans, "prompt", "p"), 400,
                "prompt");
        assertThat(api.post("/v1/fine_tuning/focal_mask", "[1]").status()).isEqualTo(400);
    }

    @Test
    void givenTheOpenApiDocument_whenRead_thenThePreviewAndItsAnswerAreDescribed() throws Exception {
        JsonNode doc = api.get("/v3/api-docs").body();

        assertThat(doc.get("paths").propertyNames()).contains("/v1/fine_tuning/focal_mask");
        assertThat(doc.at("/components/schemas/FocalMask/properties").propertyNames())
                .contains("object", "model", "tokens", "focal_tokens", "total_tokens");
        assertThat(doc.at("/components/schemas/FocalMaskToken/properties").propertyNames())
                .contains("text", "start", "end", "focal");
    }
}

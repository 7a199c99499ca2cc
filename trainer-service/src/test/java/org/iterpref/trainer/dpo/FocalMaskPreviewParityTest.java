package org.iterpref.trainer.dpo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.iterpref.common.pair.CharSpan;
import org.iterpref.trainer.ApiOnlyContext;
import org.iterpref.trainer.Fixtures;
import org.iterpref.trainer.HttpApi;
import org.iterpref.trainer.chat.ChatTemplateEngine;
import org.iterpref.trainer.dpo.DpoHyperparameters.PromptFormat;
import org.iterpref.trainer.serving.ModelChatTemplate;
import org.iterpref.trainer.tokenizer.TextTokenizer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/fine_tuning/focal_mask} shows exactly the rejected labels training counts: for the
 * DPO fixture's pairs (and one with an emoji, whose bytes several tokens share), the endpoint's
 * focal flags on the served tiny-qwen2 equal {@link PairEncoder}'s rejected focal mask on the
 * fixture's tiny-qwen2 tokenizer, without its end-token label, and the fixture's own mask.
 */
class FocalMaskPreviewParityTest extends ApiOnlyContext {

    private static boolean[] preview(JsonNode body) {
        boolean[] focal = new boolean[body.get("tokens").size()];
        for (int i = 0; i < focal.length; i++) {
            focal[i] = body.get("tokens").get(i).get("focal").asBoolean();
        }
        return focal;
    }

    @Test
    void givenTheFixturePairs_whenPreviewed_thenTheFocalTokensAreThoseTrainingCounts() throws Exception {
        JsonNode expected = HttpApi.JSON.readTree(FocalDpoParityTest.dpo().resolve("expected.json").toFile());
        List<TrainingPair> pairs = new ArrayList<>();
        for (JsonNode pair : expected.path("pairs")) {
            List<CharSpan> spans = new ArrayList<>();
            pair.path("error_spans").forEach(s -> spans.add(new CharSpan(s.get(0).asInt(), s.get(1).asInt())));
            pairs.add(TrainingPair.ofPrompt(pair.path("prompt").asString(), pair.path("chosen").asString(),
                    pair.path("rejected").asString(), spans));
        }
        String emoji = "x = 1\ny = \"🙂 ok\"\nz = 3\n";
        pairs.add(TrainingPair.ofPrompt("p", "x = 1\ny = 2\nz = 3\n", emoji, List.of(new CharSpan(6, 16))));

        Path dir = Fixtures.model("tiny-qwen2");
        try (TextTokenizer tokenizer = TextTokenizer.open(dir)) {
            PromptRenderer renderer = new PromptRenderer(tokenizer,
                    ModelChatTemplate.prepare("tiny-qwen2", tokenizer, new ChatTemplateEngine()), PromptFormat.RAW);
            PairEncoder encoder = new PairEncoder(tokenizer, renderer, 1 << 16, 1 << 16, true);
            for (int i = 0; i < pairs.size(); i++) {
                TrainingPair pair = pairs.get(i);
                boolean[] trained = encoder.encode(i, pair).orElseThrow().rejectedFocal();

                HttpApi.Reply reply = api.post("/v1/fine_tuning/focal_mask", Map.of("model", "tiny-qwen2",
                        "rejected", pair.rejected(), "error_spans",
                        pair.errorSpans().stream().map(s -> List.of(s.start(), s.end())).toList()));

                assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
                boolean[] shown = preview(reply.body());
                assertThat(trained[trained.length - 1]).as("the end token's label is never focal").isFalse();
                assertThat(shown).as("pair %d: the preview's focal flags are training's, end token left out", i)
                        .isEqualTo(Arrays.copyOf(trained, trained.length - 1));
                int focal = 0;
                for (boolean f : shown) {
                    focal += f ? 1 : 0;
                }
                assertThat(focal).isPositive();
                assertThat(reply.body().get("focal_tokens").asInt()).isEqualTo(focal);
                assertThat(reply.body().get("total_tokens").asInt()).isEqualTo(shown.length);
                if (i < expected.path("pairs").size()) {
                    JsonNode mask = expected.path("pairs").get(i).path("rejected_error_token_mask");
                    for (int t = 0; t < mask.size(); t++) {
                        assertThat(shown[t]).as("pair %d token %d against the fixture", i, t)
                                .isEqualTo(mask.get(t).asBoolean());
                    }
                    assertThat(shown).hasSize(mask.size());
                }
            }
        }
    }
}

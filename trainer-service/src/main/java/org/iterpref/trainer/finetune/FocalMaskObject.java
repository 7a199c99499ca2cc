package org.iterpref.trainer.finetune;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * The answer of {@code POST /v1/fine_tuning/focal_mask}: the rejected completion's tokens as the
 * model's tokenizer cuts it for training (no special tokens, no end token), each with whether focal
 * DPO counts it.
 */
@Schema(name = "FocalMask", description = "The tokens of a rejected completion and which of them focal DPO counts")
public record FocalMaskObject(
        @Schema(allowableValues = "focal_mask") String object,
        @Schema(description = "the model whose tokenizer cut the text", example = "tiny-qwen2") String model,
        @Schema(description = "every token of rejected in order, the end token left out") List<Token> tokens,
        @JsonProperty("focal_tokens") @Schema(description = "how many tokens are focal") int focalTokens,
        @JsonProperty("total_tokens") @Schema(description = "how many tokens there are") int totalTokens) {

    public static final String OBJECT = "focal_mask";

    /**
     * One token.
     *
     * @param text the part of {@code rejected} it covers (tokens that split one character between
     *     them, as byte-level tokenizers split an emoji, each show that whole character)
     * @param start its first Unicode code point in {@code rejected} (not a UTF-16 index)
     * @param end the code point just after it
     * @param focal whether it overlaps an error span: the rule focal DPO trains with
     */
    @Schema(name = "FocalMaskToken")
    public record Token(
            String text,
            @Schema(description = "Unicode code-point offset into rejected, inclusive") int start,
            @Schema(description = "Unicode code-point offset into rejected, exclusive") int end,
            boolean focal) {
    }
}

package org.iterpref.trainer.tokenizer;

import java.util.Objects;

/**
 * A token added on top of the model's vocabulary ({@code added_tokens} of {@code tokenizer.json},
 * {@code added_tokens_decoder} of {@code tokenizer_config.json}), such as {@code <|im_end|>}.
 *
 * @param id its id
 * @param content its text
 * @param special whether it is a special (control) token, which {@code decode} can skip
 */
public record AddedToken(long id, String content, boolean special) {

    /** Checks the id is not negative and the content present. */
    public AddedToken {
        Objects.requireNonNull(content, "content");
        if (id < 0) {
            throw new IllegalArgumentException("negative token id " + id + " for " + content);
        }
    }
}

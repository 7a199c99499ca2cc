package org.iterpref.trainer.tokenizer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The special token ids of a tokenizer, gathered from {@code tokenizer.json} ({@code
 * added_tokens} marked special), {@code tokenizer_config.json} ({@code bos_token}, {@code
 * eos_token}, {@code pad_token}, {@code unk_token}, {@code added_tokens_decoder}) and {@code
 * generation_config.json} ({@code bos_token_id}, {@code eos_token_id}, {@code pad_token_id}).
 *
 * <p>Where both configuration files name a BOS or PAD token, {@code tokenizer_config.json} wins;
 * {@code generation_config.json} fills in what it leaves out. EOS ids are the union of both
 * files: generation stops at any of them (Qwen's instruct models stop at {@code <|im_end|>} and
 * {@code <|endoftext|>}).
 *
 * @param bosId the beginning-of-sequence token, if any
 * @param eosIds every end-of-sequence id; {@code tokenizer_config.json}'s {@code eos_token}
 *     first (see {@link #primaryEosId()}), then {@code generation_config.json}'s in file order
 * @param padId the padding token, if any
 * @param unkId the unknown token, if any
 * @param specialTokenIds every token marked special, content → id, in id order
 */
public record SpecialTokens(
        OptionalLong bosId, Set<Long> eosIds, OptionalLong padId, OptionalLong unkId, Map<String, Long> specialTokenIds) {

    /** Checks for nulls and freezes the collections, keeping their order. */
    public SpecialTokens {
        Objects.requireNonNull(bosId, "bosId");
        Objects.requireNonNull(padId, "padId");
        Objects.requireNonNull(unkId, "unkId");
        eosIds = Collections.unmodifiableSet(new LinkedHashSet<>(eosIds));
        specialTokenIds = Collections.unmodifiableMap(new LinkedHashMap<>(specialTokenIds));
    }

    /**
     * The EOS token to append to a training sequence: {@code tokenizer_config.json}'s {@code
     * eos_token}, else the first {@code eos_token_id} of {@code generation_config.json}.
     */
    public OptionalLong primaryEosId() {
        return eosIds.isEmpty() ? OptionalLong.empty() : OptionalLong.of(eosIds.iterator().next());
    }

    /** Whether generation stops at {@code id}. */
    public boolean isEos(long id) {
        return eosIds.contains(id);
    }

    /** Whether {@code id} is a special token. */
    public boolean isSpecial(long id) {
        return specialTokenIds.containsValue(id);
    }

    /** The id of the special token {@code content} (e.g. {@code <|im_end|>}). */
    public OptionalLong id(String content) {
        Long id = specialTokenIds.get(content);
        return id == null ? OptionalLong.empty() : OptionalLong.of(id);
    }
}

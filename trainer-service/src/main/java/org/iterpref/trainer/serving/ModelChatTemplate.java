package org.iterpref.trainer.serving;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.iterpref.trainer.chat.ChatTemplate;
import org.iterpref.trainer.chat.ChatTemplateEngine;
import org.iterpref.trainer.chat.ChatTemplateException;
import org.iterpref.trainer.tokenizer.SpecialTokens;
import org.iterpref.trainer.tokenizer.TextTokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A served model's chat template, parsed once when the model is loaded: the compiled template,
 * or why it cannot be parsed (reported on each chat request; the model still serves plain
 * completions), or none; and the special-token variables templates get.
 *
 * @param template the compiled {@code chat_template}, when the tokenizer config has one that parses
 * @param parseError why the tokenizer config's template does not parse
 * @param specialTokens {@code bos_token}, {@code eos_token}, {@code pad_token}, {@code unk_token}
 *     as token strings, for those the tokenizer has
 */
public record ModelChatTemplate(Optional<ChatTemplate> template, Optional<ChatTemplateException> parseError,
                                Map<String, String> specialTokens) {

    private static final Logger log = LoggerFactory.getLogger(ModelChatTemplate.class);

    /** Checks for nulls and freezes the token map. */
    public ModelChatTemplate {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(parseError, "parseError");
        specialTokens = Map.copyOf(specialTokens);
    }

    /** Parses the default chat template of {@code tokenizer}'s model, if it has one. */
    public static ModelChatTemplate prepare(String model, TextTokenizer tokenizer, ChatTemplateEngine engine) {
        Map<String, String> specialTokens = specialTokens(tokenizer);
        Optional<String> source = tokenizer.chatTemplate().template();
        if (source.isEmpty()) {
            return new ModelChatTemplate(Optional.empty(), Optional.empty(), specialTokens);
        }
        try {
            return new ModelChatTemplate(Optional.of(engine.compile(source.get())), Optional.empty(), specialTokens);
        } catch (ChatTemplateException e) {
            log.warn("model '{}': its chat template cannot be parsed, chat completions will be refused: {}", model,
                    e.getMessage());
            return new ModelChatTemplate(Optional.empty(), Optional.of(e), specialTokens);
        }
    }

    /**
     * The special tokens by template variable name. {@code bos_token} may come from {@code
     * generation_config.json} where {@code tokenizer_config.json} names none (transformers would
     * leave it undefined); {@code eos_token} is the primary EOS.
     */
    private static Map<String, String> specialTokens(TextTokenizer tokenizer) {
        SpecialTokens specials = tokenizer.specialTokens();
        Map<String, String> tokens = new LinkedHashMap<>();
        put(tokens, "bos_token", specials.bosId(), tokenizer);
        put(tokens, "eos_token", specials.primaryEosId(), tokenizer);
        put(tokens, "pad_token", specials.padId(), tokenizer);
        put(tokens, "unk_token", specials.unkId(), tokenizer);
        return tokens;
    }

    private static void put(Map<String, String> tokens, String name, OptionalLong id, TextTokenizer tokenizer) {
        if (id.isEmpty()) {
            return;
        }
        String content = tokenizer.specialTokens().specialTokenIds().entrySet().stream()
                .filter(entry -> entry.getValue() == id.getAsLong()).map(Map.Entry::getKey).findFirst()
                .orElseGet(() -> tokenizer.decode(new long[] {id.getAsLong()}, false));
        tokens.put(name, content);
    }
}

package org.iterpref.trainer.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds {@link SpecialTokens} from the vocabulary and the optional configuration files,
 * checking that every token the configuration names exists in {@code tokenizer.json} with the
 * id it claims: a model directory whose files disagree fails here, naming the file, instead of
 * tokenizing with the wrong ids.
 */
final class SpecialTokensResolver {

    private SpecialTokensResolver() {
    }

    /**
     * Resolves the special tokens.
     *
     * @throws TokenizerException naming {@code tokenizer_config.json} when it names a token that
     *     {@code tokenizer.json} lacks or numbers differently
     */
    static SpecialTokens resolve(
            Vocabulary vocabulary, Optional<TokenizerConfigFile> config, Optional<GenerationConfigFile> generation) {
        Map<String, Long> specials = specialTokens(vocabulary, config);
        OptionalLong bos = named(vocabulary, config, TokenizerConfigFile::bosToken, "bos_token");
        OptionalLong pad = named(vocabulary, config, TokenizerConfigFile::padToken, "pad_token");
        OptionalLong unk = named(vocabulary, config, TokenizerConfigFile::unkToken, "unk_token");
        OptionalLong eos = named(vocabulary, config, TokenizerConfigFile::eosToken, "eos_token");
        Set<Long> eosIds = new LinkedHashSet<>();
        eos.ifPresent(eosIds::add);
        generation.ifPresent(file -> eosIds.addAll(file.eosIds()));
        if (bos.isEmpty() && generation.isPresent()) {
            bos = generation.get().bosId();
        }
        if (pad.isEmpty() && generation.isPresent()) {
            pad = generation.get().padId();
        }
        return new SpecialTokens(bos, eosIds, pad, unk, specials);
    }

    private static Map<String, Long> specialTokens(Vocabulary vocabulary, Optional<TokenizerConfigFile> config) {
        List<AddedToken> special = new ArrayList<>();
        vocabulary.addedTokens().stream().filter(AddedToken::special).forEach(special::add);
        if (config.isPresent()) {
            for (AddedToken token : config.get().addedTokensDecoder()) {
                checkId(vocabulary, config.get().file(), token);
                if (token.special()) {
                    special.add(token);
                }
            }
        }
        special.sort(Comparator.comparingLong(AddedToken::id));
        Map<String, Long> byContent = new LinkedHashMap<>();
        special.forEach(token -> byContent.putIfAbsent(token.content(), token.id()));
        return byContent;
    }

    private static void checkId(Vocabulary vocabulary, Path file, AddedToken token) {
        OptionalLong actual = vocabulary.id(token.content());
        if (actual.isEmpty() || actual.getAsLong() != token.id()) {
            throw new TokenizerException(file, "added_tokens_decoder has " + token.content() + " = " + token.id()
                    + " but tokenizer.json " + (actual.isEmpty() ? "lacks it" : "says " + actual.getAsLong()));
        }
    }

    private static OptionalLong named(
            Vocabulary vocabulary,
            Optional<TokenizerConfigFile> config,
            Function<TokenizerConfigFile, Optional<String>> field,
            String fieldName) {
        if (config.isEmpty()) {
            return OptionalLong.empty();
        }
        Optional<String> token = field.apply(config.get());
        if (token.isEmpty()) {
            return OptionalLong.empty();
        }
        OptionalLong id = vocabulary.id(token.get());
        if (id.isEmpty()) {
            throw new TokenizerException(config.get().file(),
                    fieldName + " \"" + token.get() + "\" is not in the vocabulary of tokenizer.json");
        }
        return id;
    }
}

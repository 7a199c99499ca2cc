package org.iterpref.trainer.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * What this layer uses of a {@code tokenizer_config.json}: the named special tokens, {@code
 * added_tokens_decoder}, and {@code chat_template} (a string, or a list of {@code {name,
 * template}} objects).
 *
 * @param file the file read
 * @param bosToken {@code bos_token}
 * @param eosToken {@code eos_token}
 * @param padToken {@code pad_token}
 * @param unkToken {@code unk_token}
 * @param addedTokensDecoder {@code added_tokens_decoder}, in file order
 * @param chatTemplates chat templates by name; a single string template is named {@code default}
 */
record TokenizerConfigFile(
        Path file,
        Optional<String> bosToken,
        Optional<String> eosToken,
        Optional<String> padToken,
        Optional<String> unkToken,
        List<AddedToken> addedTokensDecoder,
        Map<String, String> chatTemplates) {

    /** Name of a template given as a plain string, as in Hugging Face transformers. */
    static final String DEFAULT_TEMPLATE = "default";

    /**
     * Reads {@code file}.
     *
     * @throws TokenizerException naming the file when it is missing or malformed
     */
    static TokenizerConfigFile read(Path file) {
        JsonNode root = JsonFiles.readObject(file);
        return new TokenizerConfigFile(
                file,
                JsonFiles.tokenContent(root, "bos_token", file),
                JsonFiles.tokenContent(root, "eos_token", file),
                JsonFiles.tokenContent(root, "pad_token", file),
                JsonFiles.tokenContent(root, "unk_token", file),
                addedTokens(root.get("added_tokens_decoder"), file),
                chatTemplates(root.get("chat_template"), file));
    }

    private static List<AddedToken> addedTokens(JsonNode decoder, Path file) {
        if (decoder == null || decoder.isNull()) {
            return List.of();
        }
        if (!decoder.isObject()) {
            throw new TokenizerException(file, "malformed: \"added_tokens_decoder\" is not an object");
        }
        List<AddedToken> tokens = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : decoder.properties()) {
            long id;
            try {
                id = Long.parseLong(entry.getKey());
            } catch (NumberFormatException e) {
                throw new TokenizerException(file, "malformed: added_tokens_decoder key \"" + entry.getKey()
                        + "\" is not a token id", e);
            }
            JsonNode content = entry.getValue().path("content");
            if (!content.isString() || id < 0) {
                throw new TokenizerException(file, "malformed: added_tokens_decoder entry " + entry.getKey()
                        + " has no \"content\" string or a negative id");
            }
            tokens.add(new AddedToken(id, content.stringValue(), entry.getValue().path("special").asBoolean(false)));
        }
        return List.copyOf(tokens);
    }

    private static Map<String, String> chatTemplates(JsonNode node, Path file) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (node.isString()) {
            return Map.of(DEFAULT_TEMPLATE, node.stringValue());
        }
        if (!node.isArray()) {
            throw new TokenizerException(file, "malformed: \"chat_template\" is neither a string nor a list");
        }
        Map<String, String> templates = new LinkedHashMap<>();
        for (JsonNode entry : node) {
            if (!entry.path("name").isString() || !entry.path("template").isString()) {
                throw new TokenizerException(file, "malformed: a \"chat_template\" entry lacks \"name\" or \"template\"");
            }
            templates.put(entry.path("name").stringValue(), entry.path("template").stringValue());
        }
        return Collections.unmodifiableMap(templates);
    }
}

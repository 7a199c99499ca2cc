package org.iterpref.trainer.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads the small JSON configuration files, turning every failure into a {@link TokenizerException}. */
final class JsonFiles {

    /** Shared, thread-safe mapper. */
    static final JsonMapper MAPPER = JsonMapper.builder().build();

    private JsonFiles() {
    }

    /**
     * The root object of {@code file}.
     *
     * @throws TokenizerException naming {@code file} when it cannot be read, is not JSON or its
     *     root is not an object
     */
    static JsonNode readObject(Path file) {
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new TokenizerException(file, "cannot be read: " + e, e);
        } catch (JacksonException e) {
            throw new TokenizerException(file, "malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new TokenizerException(file, "malformed: the top level is not a JSON object");
        }
        return root;
    }

    /**
     * A token named by {@code field} of {@code object}: a string, or an object with a string
     * {@code content} (the serialised {@code AddedToken} form); empty when absent or null.
     */
    static Optional<String> tokenContent(JsonNode object, String field, Path file) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isString()) {
            return Optional.of(node.stringValue());
        }
        if (node.isObject() && node.path("content").isString()) {
            return Optional.of(node.path("content").stringValue());
        }
        throw new TokenizerException(file, "malformed: \"" + field + "\" is neither a string nor {\"content\": ...}");
    }

    /** A non-negative integer id in {@code node}, or a {@link TokenizerException} naming {@code field}. */
    static long tokenId(JsonNode node, String field, Path file) {
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw new TokenizerException(file, "malformed: \"" + field + "\" holds " + node + ", not a token id");
        }
        return node.longValue();
    }

    /** The id in {@code field} of {@code object}; empty when absent or null. */
    static OptionalLong optionalTokenId(JsonNode object, String field, Path file) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(tokenId(node, field, file));
    }
}

package org.iterpref.trainer.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON for checkpoint files: strict reading (duplicate keys and trailing content are errors) and
 * writing, compact for safetensors headers or indented for {@code config.json}.
 */
final class Json {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {
    }

    /** Reads {@code file} whole and parses it as a JSON object. */
    static JsonNode readObject(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CheckpointException(file, null, "cannot read: " + e, e);
        }
        return parseObject(file, bytes, "file");
    }

    /**
     * Parses {@code bytes} as a JSON object.
     *
     * @param file the file they come from, for error messages
     * @param what what they are ("header", "file"), for error messages
     */
    static JsonNode parseObject(Path file, byte[] bytes, String what) {
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            throw new CheckpointException(file, null, what + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            String found = root == null || root.isMissingNode() ? "nothing" : root.getNodeType().toString();
            throw new CheckpointException(file, null, what + " is not a JSON object (found " + found + ")");
        }
        return root;
    }

    /** A new, empty JSON object (keys keep their insertion order). */
    static ObjectNode newObject() {
        return MAPPER.createObjectNode();
    }

    /** {@code node} as compact UTF-8 JSON, no whitespace (as a safetensors header is written). */
    static byte[] compact(JsonNode node) {
        return MAPPER.writeValueAsBytes(node);
    }

    /** {@code node} as indented UTF-8 JSON with a final newline, for files people read. */
    static byte[] indented(JsonNode node) {
        String text = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        return (text + "\n").getBytes(StandardCharsets.UTF_8);
    }
}

package org.iterpref.trainer.checkpoint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import tools.jackson.databind.JsonNode;

/**
 * Typed access to the fields of a {@code config.json}; every wrong value is a
 * {@link CheckpointException} naming the file and the field. A field set to JSON {@code null}
 * counts as absent, as it does for Hugging Face.
 */
final class ConfigFields {

    private final Path file;
    private final JsonNode root;

    ConfigFields(Path file, JsonNode root) {
        this.file = file;
        this.root = root;
    }

    /** The field's value, or null when absent or JSON null. */
    JsonNode node(String key) {
        JsonNode node = root.get(key);
        return node == null || node.isNull() ? null : node;
    }

    /** An error about field {@code key} of this file. */
    CheckpointException error(String key, String detail) {
        return new CheckpointException(file, key, detail);
    }

    int requiredPositiveInt(String key) {
        if (node(key) == null) {
            throw error(key, "is required but missing");
        }
        return positiveInt(key, 0);
    }

    int positiveInt(String key, int defaultValue) {
        JsonNode node = node(key);
        if (node == null) {
            return defaultValue;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() <= 0) {
            throw error(key, "must be a positive integer, found " + node);
        }
        return node.intValue();
    }

    double positiveDouble(String key, double defaultValue) {
        return positiveDouble(node(key), key, defaultValue);
    }

    /** {@code node} (the value of {@code key}, possibly nested) as a positive finite number. */
    double positiveDouble(JsonNode node, String key, double defaultValue) {
        if (node == null || node.isNull()) {
            return defaultValue;
        }
        if (!node.isNumber() || !(node.doubleValue() > 0) || Double.isInfinite(node.doubleValue())) {
            throw error(key, "must be a positive number, found " + node);
        }
        return node.doubleValue();
    }

    boolean bool(String key, boolean defaultValue) {
        JsonNode node = node(key);
        if (node == null) {
            return defaultValue;
        }
        if (!node.isBoolean()) {
            throw error(key, "must be true or false, found " + node);
        }
        return node.booleanValue();
    }

    String string(String key, String defaultValue) {
        JsonNode node = node(key);
        if (node == null) {
            return defaultValue;
        }
        if (!node.isString()) {
            throw error(key, "must be a string, found " + node);
        }
        return node.stringValue();
    }

    /** A token id: a non-negative integer, or absent. */
    OptionalInt tokenId(String key) {
        JsonNode node = node(key);
        return node == null ? OptionalInt.empty() : OptionalInt.of(tokenId(key, node));
    }

    /** Token ids given as one integer or a list of them; empty when absent. */
    List<Integer> tokenIds(String key) {
        JsonNode node = node(key);
        List<Integer> ids = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(element -> ids.add(tokenId(key, element)));
        } else if (node != null) {
            ids.add(tokenId(key, node));
        }
        return ids;
    }

    private int tokenId(String key, JsonNode node) {
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 0) {
            throw error(key, "must be a token id (non-negative integer) or a list of them, found " + node);
        }
        return node.intValue();
    }
}

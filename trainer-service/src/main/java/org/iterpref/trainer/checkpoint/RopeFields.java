package org.iterpref.trainer.checkpoint;

import tools.jackson.databind.JsonNode;

/**
 * The rotary-embedding fields of a {@code config.json}: {@code rope_theta} and {@code rope_scaling}
 * as transformers 4 writes them, or the {@code rope_parameters} object of transformers 5, which
 * holds both.
 */
final class RopeFields {

    private static final double DEFAULT_ROPE_THETA = 10_000.0;
    private static final String ROPE_SCALING = "rope_scaling";
    private static final String ROPE_PARAMETERS = "rope_parameters";

    private RopeFields() {
    }

    /** {@code rope_theta}, else {@code rope_parameters.rope_theta} (transformers 5), else 10000. */
    static double theta(ConfigFields fields) {
        if (fields.node("rope_theta") != null) {
            return fields.positiveDouble("rope_theta", DEFAULT_ROPE_THETA);
        }
        JsonNode ropeParameters = fields.node(ROPE_PARAMETERS);
        JsonNode theta = ropeParameters == null ? null : ropeParameters.get("rope_theta");
        return fields.positiveDouble(theta, ROPE_PARAMETERS, DEFAULT_ROPE_THETA);
    }

    /**
     * The scaling of {@code rope_scaling} or {@code rope_parameters}; a kind the decoder does not
     * implement is an error, since ignoring it would give wrong outputs past the first position.
     */
    static RopeScaling scaling(ConfigFields fields) {
        RopeScaling legacy = scaling(fields, ROPE_SCALING);
        RopeScaling current = scaling(fields, ROPE_PARAMETERS);
        if (legacy != RopeScaling.NONE && current != RopeScaling.NONE && !legacy.equals(current)) {
            throw fields.error(ROPE_PARAMETERS, "says " + current + " but rope_scaling says " + legacy);
        }
        return legacy != RopeScaling.NONE ? legacy : current;
    }

    private static RopeScaling scaling(ConfigFields fields, String key) {
        JsonNode node = fields.node(key);
        if (node == null) {
            return RopeScaling.NONE;
        }
        if (!node.isObject()) {
            throw fields.error(key, "must be an object or null, found " + node);
        }
        // transformers reads rope_type and falls back to the older name "type"
        JsonNode type = node.has("rope_type") ? node.get("rope_type") : node.get("type");
        String name = type == null || type.isNull() ? "default" : type.asString();
        return switch (name) {
            case "default" -> RopeScaling.NONE;
            case "llama3" -> llama3(fields, key, node);
            default -> throw fields.error(key, "rope scaling '" + name
                    + "' is not supported (supported: default, llama3)");
        };
    }

    private static RopeScaling llama3(ConfigFields fields, String key, JsonNode node) {
        double factor = positive(fields, key, node, "factor");
        double low = positive(fields, key, node, "low_freq_factor");
        double high = positive(fields, key, node, "high_freq_factor");
        if (!(high > low)) {
            throw fields.error(key, "high_freq_factor " + high + " must be greater than low_freq_factor " + low);
        }
        JsonNode original = required(fields, key, node, "original_max_position_embeddings");
        if (!original.isIntegralNumber() || !original.canConvertToInt() || original.intValue() <= 0) {
            throw fields.error(key, "'original_max_position_embeddings' must be a positive integer, found " + original);
        }
        return new RopeScaling.Llama3(factor, low, high, original.intValue());
    }

    private static double positive(ConfigFields fields, String key, JsonNode node, String field) {
        JsonNode value = required(fields, key, node, field);
        if (!value.isNumber() || !(value.doubleValue() > 0) || Double.isInfinite(value.doubleValue())) {
            throw fields.error(key, "'" + field + "' must be a positive number, found " + value);
        }
        return value.doubleValue();
    }

    private static JsonNode required(ConfigFields fields, String key, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw fields.error(key, "llama3 rope scaling needs '" + field + "', which is missing");
        }
        return value;
    }
}

package org.iterpref.trainer.checkpoint;

import java.util.Arrays;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/** The parts of reading a {@code config.json} that need more than one field or a rule. */
final class ConfigChecks {

    private static final double DEFAULT_ROPE_THETA = 10_000.0;

    private ConfigChecks() {
    }

    /** {@code architectures[0]}, or when that list is absent, {@code model_type}. */
    static Architecture architecture(ConfigFields fields) {
        JsonNode list = fields.node("architectures");
        if (list == null) {
            String modelType = fields.string("model_type", null);
            if (modelType == null) {
                throw fields.error("architectures", "is missing (and so is model_type)");
            }
            return byModelType(fields, modelType);
        }
        if (!list.isArray() || list.isEmpty() || !list.get(0).isString()) {
            throw fields.error("architectures", "must be a non-empty list of names, found " + list);
        }
        String name = list.get(0).stringValue();
        return Architecture.fromHfName(name).orElseThrow(() -> fields.error("architectures",
                "unsupported architecture '" + name + "' (supported: " + supported() + ")"));
    }

    private static Architecture byModelType(ConfigFields fields, String modelType) {
        for (Architecture a : Architecture.values()) {
            if (a.modelType().equals(modelType)) {
                return a;
            }
        }
        throw fields.error("model_type", "unsupported model type '" + modelType + "' (supported: " + supported() + ")");
    }

    private static String supported() {
        return Arrays.stream(Architecture.values()).map(Architecture::hfName).collect(Collectors.joining(", "));
    }

    /** Refuses configs whose numbers the decoder would get wrong by ignoring a field. */
    static void rejectUnsupportedFeatures(ConfigFields fields, Architecture architecture) {
        String activation = fields.string("hidden_act", "silu");
        if (!activation.equals("silu")) {
            throw fields.error("hidden_act", "unsupported activation '" + activation + "' (supported: silu)");
        }
        rejectRopeScaling(fields, "rope_scaling", fields.node("rope_scaling"));
        JsonNode ropeParameters = fields.node("rope_parameters");
        if (ropeParameters != null) {
            rejectRopeScaling(fields, "rope_parameters", ropeParameters);
        }
        if (architecture == Architecture.QWEN2 && fields.bool("use_sliding_window", false)) {
            throw fields.error("use_sliding_window", "sliding window attention is not supported");
        }
        if (architecture == Architecture.LLAMA) {
            for (String key : new String[] {"attention_bias", "mlp_bias"}) {
                if (fields.bool(key, false)) {
                    throw fields.error(key, "biases in Llama projections are not supported");
                }
            }
        }
    }

    private static void rejectRopeScaling(ConfigFields fields, String key, JsonNode node) {
        if (node == null) {
            return;
        }
        if (!node.isObject()) {
            throw fields.error(key, "must be an object or null, found " + node);
        }
        JsonNode type = node.has("rope_type") ? node.get("rope_type") : node.get("type");
        String name = type == null || type.isNull() ? "default" : type.asString();
        if (!name.equals("default")) {
            throw fields.error(key, "rope scaling '" + name + "' is not supported (only plain RoPE)");
        }
    }

    /** {@code rope_theta}, else {@code rope_parameters.rope_theta} (transformers 5), else 10000. */
    static double ropeTheta(ConfigFields fields) {
        if (fields.node("rope_theta") != null) {
            return fields.positiveDouble("rope_theta", DEFAULT_ROPE_THETA);
        }
        JsonNode ropeParameters = fields.node("rope_parameters");
        JsonNode theta = ropeParameters == null ? null : ropeParameters.get("rope_theta");
        return fields.positiveDouble(theta, "rope_parameters", DEFAULT_ROPE_THETA);
    }

    /** {@code head_dim} when given, else hidden / heads, which must then divide exactly. */
    static int headDim(ConfigFields fields, int hidden, int heads) {
        if (fields.node("head_dim") != null) {
            return fields.positiveInt("head_dim", 0);
        }
        if (hidden % heads != 0) {
            throw fields.error("num_attention_heads", heads + " does not divide hidden_size " + hidden
                    + " and no head_dim is given");
        }
        return hidden / heads;
    }
}

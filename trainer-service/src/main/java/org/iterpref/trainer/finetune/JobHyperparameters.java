package org.iterpref.trainer.finetune;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.iterpref.trainer.dpo.DpoHyperparameters;
import org.iterpref.trainer.serving.OpenAiException;
import tools.jackson.databind.JsonNode;

/**
 * A job's hyperparameters as the API takes and shows them, resolved at creation ("auto" becomes
 * the default): OpenAI's {@code n_epochs}, {@code batch_size}, {@code learning_rate_multiplier},
 * {@code beta}, and this server's focal DPO settings. The effective learning rate handed to the
 * engine is {@code learning_rate × learning_rate_multiplier}.
 */
record JobHyperparameters(int nEpochs, int batchSize, double learningRateMultiplier, double beta,
                          double learningRate, boolean focal, double nllAlpha, int maxLength, int maxPromptLength,
                          double warmupRatio, int gradientAccumulationSteps, double maxGradNorm, double weightDecay,
                          int checkpointEvery, String promptFormat, String reference, boolean gradientCheckpointing) {

    static final String METHOD_PREFIX = "method.dpo.hyperparameters.";
    static final String LEGACY_PREFIX = "hyperparameters.";
    static final Set<String> LEGACY_FIELDS = Set.of("n_epochs", "batch_size", "learning_rate_multiplier");
    static final Set<String> FIELDS = Set.of("n_epochs", "batch_size", "learning_rate_multiplier", "beta",
            "learning_rate", "focal", "nll_alpha", "max_length", "max_prompt_length", "warmup_ratio",
            "gradient_accumulation_steps", "max_grad_norm", "weight_decay", "checkpoint_every", "prompt_format",
            "reference", "gradient_checkpointing");

    /**
     * Reads {@code method.dpo.hyperparameters} ({@code dpo}, may be null) and OpenAI's deprecated
     * top-level {@code hyperparameters} ({@code legacy}, may be null; not both), checks every
     * value and its range, and resolves the defaults. Errors name the field by its full path.
     */
    static JobHyperparameters parse(JsonNode dpo, JsonNode legacy) {
        boolean hasDpo = present(dpo);
        boolean hasLegacy = present(legacy);
        if (hasDpo && hasLegacy) {
            throw OpenAiException.invalid("hyperparameters", "Give hyperparameters in method.dpo.hyperparameters "
                    + "only; the top-level 'hyperparameters' is deprecated and cannot be combined with it.");
        }
        Reader in = hasLegacy ? new Reader(legacy, LEGACY_PREFIX, LEGACY_FIELDS) : new Reader(dpo, METHOD_PREFIX, FIELDS);
        DpoHyperparameters defaults = DpoHyperparameters.defaults();
        int maxLength = in.integer("max_length", defaults.maxLength(), 2, 1 << 17);
        JobHyperparameters resolved = new JobHyperparameters(
                in.integer("n_epochs", defaults.nEpochs(), 1, 100),
                in.integer("batch_size", defaults.batchSize(), 1, 4096),
                in.number("learning_rate_multiplier", 1.0, 0, false, 100),
                in.number("beta", defaults.beta(), 0, false, 100),
                in.number("learning_rate", defaults.learningRate(), 0, false, 1),
                in.bool("focal", defaults.focal()),
                in.number("nll_alpha", defaults.nllAlpha(), 0, true, 100),
                maxLength,
                in.integer("max_prompt_length", Math.min(defaults.maxPromptLength(), maxLength / 2), 1, 1 << 17),
                in.number("warmup_ratio", defaults.warmupRatio(), 0, true, 1),
                in.integer("gradient_accumulation_steps", defaults.gradientAccumulationSteps(), 1, 4096),
                in.number("max_grad_norm", defaults.maxGradNorm(), 0, true, 1e6),
                in.number("weight_decay", defaults.weightDecay(), 0, true, 10),
                in.integer("checkpoint_every", defaults.checkpointEvery(), 0, 1_000_000),
                in.choice("prompt_format", "auto", Set.of("auto", "chat", "raw")),
                in.choice("reference", "precomputed", Set.of("precomputed", "frozen_model")),
                in.bool("gradient_checkpointing", false));
        try {
            resolved.toDpo();
        } catch (DpoHyperparameters.InvalidHyperparameterException e) {
            String field = e.field();
            throw OpenAiException.invalid((hasLegacy && LEGACY_FIELDS.contains(field) ? LEGACY_PREFIX : METHOD_PREFIX)
                    + field, "Invalid hyperparameter: " + e.getMessage() + ".");
        }
        return resolved;
    }

    /** What the engine takes. */
    DpoHyperparameters toDpo() {
        return new DpoHyperparameters(nEpochs, batchSize, gradientAccumulationSteps, learningRate * learningRateMultiplier,
                beta, focal, nllAlpha, maxLength, maxPromptLength, warmupRatio, maxGradNorm, weightDecay,
                checkpointEvery, DpoHyperparameters.PromptFormat.valueOf(promptFormat.toUpperCase(Locale.ROOT)),
                DpoHyperparameters.ReferenceMode.valueOf(reference.toUpperCase(Locale.ROOT)), gradientCheckpointing);
    }

    /** {@code method.dpo.hyperparameters} as shown and stored. */
    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("n_epochs", nEpochs);
        map.put("batch_size", batchSize);
        map.put("learning_rate_multiplier", learningRateMultiplier);
        map.put("beta", beta);
        map.put("learning_rate", learningRate);
        map.put("focal", focal);
        map.put("nll_alpha", nllAlpha);
        map.put("max_length", maxLength);
        map.put("max_prompt_length", maxPromptLength);
        map.put("warmup_ratio", warmupRatio);
        map.put("gradient_accumulation_steps", gradientAccumulationSteps);
        map.put("max_grad_norm", maxGradNorm);
        map.put("weight_decay", weightDecay);
        map.put("checkpoint_every", checkpointEvery);
        map.put("prompt_format", promptFormat);
        map.put("reference", reference);
        map.put("gradient_checkpointing", gradientCheckpointing);
        return map;
    }

    /** OpenAI's top-level {@code hyperparameters}: the three every method has. */
    Map<String, Object> toLegacyMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("n_epochs", nEpochs);
        map.put("batch_size", batchSize);
        map.put("learning_rate_multiplier", learningRateMultiplier);
        return map;
    }

    /** Back from the stored form. */
    static JobHyperparameters fromStored(JsonNode node) {
        return new JobHyperparameters(node.get("n_epochs").intValue(), node.get("batch_size").intValue(),
                node.get("learning_rate_multiplier").doubleValue(), node.get("beta").doubleValue(),
                node.get("learning_rate").doubleValue(), node.get("focal").booleanValue(),
                node.get("nll_alpha").doubleValue(), node.get("max_length").intValue(),
                node.get("max_prompt_length").intValue(), node.get("warmup_ratio").doubleValue(),
                node.get("gradient_accumulation_steps").intValue(), node.get("max_grad_norm").doubleValue(),
                node.get("weight_decay").doubleValue(), node.get("checkpoint_every").intValue(),
                node.get("prompt_format").asString(), node.get("reference").asString(),
                node.has("gradient_checkpointing") && node.get("gradient_checkpointing").booleanValue());
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !(node.isObject() && node.isEmpty());
    }

    /** Reads one object's fields, each a value or the string "auto", errors named {@code prefix + field}. */
    private static final class Reader {

        private final JsonNode node;
        private final String prefix;

        Reader(JsonNode node, String prefix, Set<String> known) {
            this.node = node;
            this.prefix = prefix;
            if (node == null || node.isNull()) {
                return;
            }
            if (!node.isObject()) {
                throw OpenAiException.invalid(prefix.substring(0, prefix.length() - 1), "'"
                        + prefix.substring(0, prefix.length() - 1) + "' must be an object.");
            }
            for (String name : node.propertyNames()) {
                if (!known.contains(name)) {
                    String shown = name.length() > 64 ? name.substring(0, 64) + "…" : name;
                    throw OpenAiException.invalid(prefix + shown, "Unrecognized hyperparameter: " + shown
                            + (prefix.equals(LEGACY_PREFIX) ? " (the top-level hyperparameters take n_epochs, "
                            + "batch_size and learning_rate_multiplier; the rest go in method.dpo.hyperparameters)"
                            : "") + ".");
                }
            }
        }

        /** The field, or null when absent, null or "auto". */
        private JsonNode value(String name) {
            JsonNode value = node == null || node.isNull() ? null : node.get(name);
            if (value == null || value.isNull() || (value.isString() && value.asString().equals("auto"))) {
                return null;
            }
            return value;
        }

        int integer(String name, int fallback, int min, int max) {
            JsonNode value = value(name);
            if (value == null) {
                return fallback;
            }
            if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min
                    || value.intValue() > max) {
                throw OpenAiException.invalid(prefix + name, "'" + name + "' must be \"auto\" or an integer from "
                        + min + " to " + max + ": " + shorten(value));
            }
            return value.intValue();
        }

        double number(String name, double fallback, double min, boolean minIncluded, double max) {
            JsonNode value = value(name);
            if (value == null) {
                return fallback;
            }
            double x = value.isNumber() ? value.doubleValue() : Double.NaN;
            if (!Double.isFinite(x) || (minIncluded ? x < min : x <= min) || x > max) {
                throw OpenAiException.invalid(prefix + name, "'" + name + "' must be \"auto\" or a number "
                        + (minIncluded ? "from " + min : "above " + min) + " to " + max + ": " + shorten(value));
            }
            return x;
        }

        boolean bool(String name, boolean fallback) {
            JsonNode value = value(name);
            if (value == null) {
                return fallback;
            }
            if (!value.isBoolean()) {
                throw OpenAiException.invalid(prefix + name, "'" + name + "' must be \"auto\" or a boolean.");
            }
            return value.booleanValue();
        }

        String choice(String name, String fallback, Set<String> allowed) {
            JsonNode value = value(name);
            if (value == null) {
                return fallback;
            }
            if (!value.isString() || !allowed.contains(value.asString())) {
                throw OpenAiException.invalid(prefix + name, "'" + name + "' must be one of " + allowed + ".");
            }
            return value.asString();
        }

        private static String shorten(JsonNode value) {
            String text = value.toString();
            return text.length() > 64 ? text.substring(0, 64) + "…" : text;
        }
    }
}

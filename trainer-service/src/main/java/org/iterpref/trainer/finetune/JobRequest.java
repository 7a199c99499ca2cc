package org.iterpref.trainer.finetune;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.iterpref.trainer.feed.FeedAllowList;
import org.iterpref.trainer.feed.FeedRequest;
import org.iterpref.trainer.serving.OpenAiException;
import tools.jackson.databind.JsonNode;

/**
 * A checked {@code POST /v1/fine_tuning/jobs} body. Every field is read as untrusted: unknown
 * fields, wrong types and out-of-range values are refused with {@code param} naming the field
 * by its path ({@code method.dpo.hyperparameters.beta}).
 *
 * @param model the served model to start from
 * @param trainingFile an uploaded file's id, or null with {@code pairs}
 * @param validationFile an uploaded file's id, or null
 * @param pairs the pair-feed extension, or null with {@code trainingFile}
 * @param hyperparameters resolved
 * @param seed given, or drawn at random
 * @param suffix up to 64 of [A-Za-z0-9_-], or null
 * @param metadata up to 16 string pairs, or null
 */
record JobRequest(String model, String trainingFile, String validationFile, FeedRequest pairs,
                  JobHyperparameters hyperparameters, long seed, String suffix, Map<String, String> metadata) {

    private static final Set<String> FIELDS = Set.of("model", "training_file", "validation_file", "pairs", "method",
            "hyperparameters", "seed", "suffix", "metadata", "integrations");
    private static final Set<String> METHOD_FIELDS = Set.of("type", "dpo");
    private static final Set<String> DPO_FIELDS = Set.of("hyperparameters");
    private static final Pattern SUFFIX = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final SecureRandom SEEDS = new SecureRandom();
    static final int MAX_METADATA = 16;
    static final int MAX_MODEL_CHARS = 128;

    static JobRequest parse(JsonNode body, FeedAllowList allowList, int maxFeedPairs) {
        if (body == null || !body.isObject()) {
            throw OpenAiException.invalid(null, "The request body must be a JSON object.");
        }
        for (String name : body.propertyNames()) {
            if (!FIELDS.contains(name)) {
                throw OpenAiException.invalid(shorten(name), "Unrecognized request argument supplied: " + shorten(name));
            }
        }
        String model = string(body, "model", MAX_MODEL_CHARS);
        if (model == null || model.isBlank()) {
            throw OpenAiException.invalid("model", "'model' is required: the served model to fine-tune.");
        }
        String trainingFile = string(body, "training_file", 64);
        JsonNode pairsNode = body.get("pairs");
        boolean hasPairs = pairsNode != null && !pairsNode.isNull();
        if (trainingFile != null && hasPairs) {
            throw OpenAiException.invalid("pairs", "Give either 'training_file' or 'pairs', not both.");
        }
        if (trainingFile == null && !hasPairs) {
            throw OpenAiException.invalid("training_file", "'training_file' is required: the id of an uploaded file "
                    + "(purpose fine-tune), or give 'pairs' to read the generator's pair feed.");
        }
        String validationFile = string(body, "validation_file", 64);
        FeedRequest pairs = hasPairs ? FeedRequest.parse(pairsNode, allowList, maxFeedPairs) : null;
        if (pairs != null && validationFile != null && pairs.validationSplit() > 0) {
            throw OpenAiException.invalid("validation_file", "Give either 'validation_file' or "
                    + "'pairs.validation_split', not both.");
        }
        method(body.get("method"));
        JsonNode method = body.get("method");
        JsonNode dpo = method == null || method.isNull() ? null : method.get("dpo");
        JsonNode dpoHyperparameters = dpo == null || dpo.isNull() ? null : dpo.get("hyperparameters");
        JobHyperparameters hyperparameters = JobHyperparameters.parse(dpoHyperparameters, body.get("hyperparameters"));
        integrations(body.get("integrations"));
        return new JobRequest(model, trainingFile, validationFile, pairs, hyperparameters, seed(body.get("seed")),
                suffix(body.get("suffix")), metadata(body.get("metadata")));
    }

    /** Only {@code {"type": "dpo", "dpo": {"hyperparameters": {...}}}} (absent: DPO with its defaults). */
    private static void method(JsonNode method) {
        if (method == null || method.isNull()) {
            return;
        }
        if (!method.isObject()) {
            throw OpenAiException.invalid("method", "'method' must be an object: {\"type\": \"dpo\", \"dpo\": {...}}.");
        }
        JsonNode type = method.get("type");
        if (type == null || !type.isString()) {
            throw OpenAiException.invalid("method.type", "'method.type' is required: \"dpo\".");
        }
        if (!type.asString().equals("dpo")) {
            throw OpenAiException.invalid("method.type", "Method type '" + shorten(type.asString()) + "' is not "
                    + "supported: this server fine-tunes with DPO only (method.type \"dpo\").");
        }
        for (String name : method.propertyNames()) {
            if (!METHOD_FIELDS.contains(name)) {
                throw OpenAiException.invalid("method." + shorten(name), "Unrecognized field for method type dpo: "
                        + shorten(name));
            }
        }
        JsonNode dpo = method.get("dpo");
        if (dpo == null || dpo.isNull()) {
            return;
        }
        if (!dpo.isObject()) {
            throw OpenAiException.invalid("method.dpo", "'method.dpo' must be an object: {\"hyperparameters\": {...}}.");
        }
        for (String name : dpo.propertyNames()) {
            if (!DPO_FIELDS.contains(name)) {
                throw OpenAiException.invalid("method.dpo." + shorten(name), "Unrecognized field: " + shorten(name));
            }
        }
    }

    private static void integrations(JsonNode integrations) {
        if (integrations != null && !integrations.isNull() && !(integrations.isArray() && integrations.isEmpty())) {
            throw OpenAiException.invalid("integrations", "Integrations are not supported by this server.");
        }
    }

    private static long seed(JsonNode seed) {
        if (seed == null || seed.isNull()) {
            return SEEDS.nextInt(Integer.MAX_VALUE);
        }
        if (!seed.isIntegralNumber() || !seed.canConvertToLong() || seed.longValue() < 0
                || seed.longValue() > Integer.MAX_VALUE) {
            throw OpenAiException.invalid("seed", "'seed' must be an integer from 0 to " + Integer.MAX_VALUE + ".");
        }
        return seed.longValue();
    }

    private static String suffix(JsonNode suffix) {
        if (suffix == null || suffix.isNull() || (suffix.isString() && suffix.asString().isEmpty())) {
            return null;
        }
        if (!suffix.isString() || !SUFFIX.matcher(suffix.asString()).matches()) {
            throw OpenAiException.invalid("suffix", "'suffix' must be at most 64 letters, digits, '_' or '-'.");
        }
        return suffix.asString();
    }

    private static Map<String, String> metadata(JsonNode metadata) {
        if (metadata == null || metadata.isNull()) {
            return null;
        }
        if (!metadata.isObject() || metadata.size() > MAX_METADATA) {
            throw OpenAiException.invalid("metadata", "'metadata' must be an object of at most " + MAX_METADATA
                    + " string values.");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : metadata.properties()) {
            if (entry.getKey().isEmpty() || entry.getKey().length() > 64 || !entry.getValue().isString()
                    || entry.getValue().asString().length() > 512) {
                throw OpenAiException.invalid("metadata", "'metadata' keys must be 1-64 characters and values strings "
                        + "of at most 512 characters.");
            }
            map.put(entry.getKey(), entry.getValue().asString());
        }
        return map;
    }

    /** A string field, null when absent or null; 400 when it is another type or longer than {@code max}. */
    private static String string(JsonNode body, String field, int max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString() || value.asString().length() > max) {
            throw OpenAiException.invalid(field, "'" + field + "' must be a string of at most " + max + " characters.");
        }
        return value.asString();
    }

    static String shorten(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "…" : text;
    }
}

package org.iterpref.trainer.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A validated {@code POST /v1/completions} body (the OpenAI legacy completions API). Parsed from
 * a JSON tree so that the union-typed fields ({@code prompt}, {@code stop}) and OpenAI's error
 * messages ({@code param} names the field at fault) come out right.
 */
record CompletionRequest(String model, String promptText, long[] promptIds, int maxTokens, double temperature,
                         double topP, List<String> stop, int n, boolean echo, Integer logprobs, Long seed,
                         boolean stream, boolean includeUsage, double presencePenalty, double frequencyPenalty) {

    static final int MAX_N = 8;
    static final int MAX_LOGPROBS = 5;
    private static final Set<String> KNOWN = Set.of("model", "prompt", "max_tokens", "temperature", "top_p",
            "stop", "n", "echo", "logprobs", "seed", "stream", "user", "presence_penalty", "frequency_penalty",
            "best_of", "stream_options", "suffix", "logit_bias");

    static CompletionRequest parse(JsonNode body) {
        String model = model(body, KNOWN);
        String promptText = null;
        long[] promptIds = null;
        JsonNode prompt = body.get("prompt");
        if (prompt == null || prompt.isNull()) {
            throw OpenAiException.invalid("prompt", "'prompt' is required.");
        } else if (prompt.isString()) {
            promptText = wellFormed("prompt", "'prompt'", prompt.asString());
        } else if (prompt.isArray() && !prompt.isEmpty() && allIntegers(prompt)) {
            promptIds = new long[prompt.size()];
            for (int i = 0; i < promptIds.length; i++) {
                promptIds[i] = prompt.get(i).longValue();
            }
        } else {
            throw OpenAiException.invalid("prompt",
                    "'prompt' must be a string or a non-empty array of token ids (batches are not supported).");
        }
        int maxTokens = intField(body, "max_tokens", 16, 0, Integer.MAX_VALUE);
        double temperature = temperature(body);
        double topP = topP(body);
        int n = intField(body, "n", 1, 1, MAX_N);
        boolean echo = bool(body, "echo");
        boolean stream = bool(body, "stream");
        boolean includeUsage = includeUsage(body, stream);
        unsupportedUnlessEmpty(body, "suffix");
        unsupportedUnlessEmpty(body, "logit_bias");
        JsonNode bestOf = body.get("best_of");
        if (bestOf != null && !bestOf.isNull() && !(bestOf.isIntegralNumber() && bestOf.longValue() == n)) {
            throw OpenAiException.invalid("best_of", "'best_of' is not supported (other than equal to n).");
        }
        Integer logprobs = body.has("logprobs") && !body.get("logprobs").isNull()
                ? intField(body, "logprobs", 0, 0, MAX_LOGPROBS) : null;
        Long seed = seed(body);
        return new CompletionRequest(model, promptText, promptIds, maxTokens, temperature, topP,
                stops(body.get("stop")), n, echo, logprobs, seed, stream, includeUsage,
                penalty(body, "presence_penalty"), penalty(body, "frequency_penalty"));
    }

    /** {@code presence_penalty} / {@code frequency_penalty}: a number in [-2, 2], default 0. */
    static double penalty(JsonNode body, String name) {
        double value = number(body, name, 0.0);
        if (value < -2 || value > 2) {
            throw OpenAiException.invalid(name, "'" + name + "' must be between -2 and 2: " + value);
        }
        return value;
    }

    /** {@code stream_options.include_usage} (only with {@code stream: true}, as OpenAI requires). */
    static boolean includeUsage(JsonNode body, boolean stream) {
        JsonNode options = body.get("stream_options");
        if (options == null || options.isNull()) {
            return false;
        }
        if (!stream) {
            throw OpenAiException.invalid("stream_options", "'stream_options' is only allowed when 'stream' is true.");
        }
        if (!options.isObject()) {
            throw OpenAiException.invalid("stream_options", "'stream_options' must be an object.");
        }
        for (String name : options.propertyNames()) {
            if (!name.equals("include_usage")) {
                throw OpenAiException.invalid("stream_options", "Unrecognized stream option: " + name);
            }
        }
        return bool(options, "include_usage");
    }

    /** Accepts an OpenAI field this server does not implement only when it asks for nothing. */
    static void unsupportedUnlessEmpty(JsonNode body, String name) {
        JsonNode node = body.get(name);
        if (node != null && !node.isNull() && !(node.isObject() && node.isEmpty())
                && !(node.isString() && node.asString().isEmpty())) {
            throw OpenAiException.invalid(name, "'" + name + "' is not supported by this server.");
        }
    }

    /** Checks the body is an object of {@code known} fields only; returns its {@code model}. */
    static String model(JsonNode body, Set<String> known) {
        if (body == null || !body.isObject()) {
            throw OpenAiException.invalid(null, "The request body must be a JSON object.");
        }
        for (String name : body.propertyNames()) {
            if (!known.contains(name)) {
                throw OpenAiException.invalid(name, "Unrecognized request argument supplied: " + name);
            }
        }
        JsonNode model = body.get("model");
        if (model == null || !model.isString() || model.asString().isBlank()) {
            throw OpenAiException.invalid("model", "'model' is required and must be a string.");
        }
        return model.asString();
    }

    /** {@code temperature} in [0, 2], default 1. */
    static double temperature(JsonNode body) {
        double temperature = number(body, "temperature", 1.0);
        if (temperature < 0 || temperature > 2) {
            throw OpenAiException.invalid("temperature", "'temperature' must be between 0 and 2: " + temperature);
        }
        return temperature;
    }

    /** {@code top_p} in (0, 1], default 1. */
    static double topP(JsonNode body) {
        double topP = number(body, "top_p", 1.0);
        if (!(topP > 0) || topP > 1) {
            throw OpenAiException.invalid("top_p", "'top_p' must be in (0, 1]: " + topP);
        }
        return topP;
    }

    /** {@code seed}: an integer, or null. */
    static Long seed(JsonNode body) {
        JsonNode seed = body.get("seed");
        if (seed == null || seed.isNull()) {
            return null;
        }
        if (!seed.isIntegralNumber() || !seed.canConvertToLong()) {
            throw OpenAiException.invalid("seed", "'seed' must be an integer.");
        }
        return seed.longValue();
    }

    private static boolean allIntegers(JsonNode array) {
        for (JsonNode item : array) {
            if (!item.isIntegralNumber() || !item.canConvertToLong()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Text the tokenizer can encode: no unpaired surrogate (valid JSON can escape one, but it is
     * no Unicode; the tokenizer failed on it with a 500).
     */
    static String wellFormed(String param, String name, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw OpenAiException.invalid(param, name + " is not valid Unicode: an unpaired surrogate at "
                        + "UTF-16 index " + i + ".");
            }
        }
        return text;
    }

    static List<String> stops(JsonNode stop) {
        List<String> stops = new ArrayList<>();
        if (stop == null || stop.isNull()) {
            return stops;
        }
        if (stop.isString()) {
            stops.add(stop.asString());
        } else if (stop.isArray() && stop.size() <= 4) {
            for (JsonNode item : stop) {
                if (!item.isString()) {
                    throw OpenAiException.invalid("stop", "'stop' must be a string or a list of up to 4 strings.");
                }
                stops.add(item.asString());
            }
        } else {
            throw OpenAiException.invalid("stop", "'stop' must be a string or a list of up to 4 strings.");
        }
        stops.removeIf(String::isEmpty);
        return stops;
    }

    static int intField(JsonNode body, String name, int fallback, int min, int max) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
            throw OpenAiException.invalid(name, "'" + name + "' must be an integer in [" + min + ", " + max + "]: "
                    + node);
        }
        return node.intValue();
    }

    static double number(JsonNode body, String name, double fallback) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isNumber()) {
            throw OpenAiException.invalid(name, "'" + name + "' must be a number: " + node);
        }
        return node.doubleValue();
    }

    static boolean bool(JsonNode body, String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw OpenAiException.invalid(name, "'" + name + "' must be a boolean: " + node);
        }
        return node.booleanValue();
    }
}

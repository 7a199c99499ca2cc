package org.iterpref.trainer.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A validated {@code POST /v1/chat/completions} body (OpenAI chat format, text content only).
 * Shares field validation with {@link CompletionRequest}.
 */
record ChatCompletionRequest(String model, List<ChatMessage> messages, int maxTokens, double temperature,
                             double topP, List<String> stop, int n, Long seed, boolean logprobs,
                             int topLogprobs, boolean stream, boolean includeUsage, double presencePenalty,
                             double frequencyPenalty) {

    /** Default completion budget when {@code max_tokens} is absent. */
    static final int DEFAULT_MAX_TOKENS = 16;
    static final Set<String> ROLES = Set.of("system", "user", "assistant");
    private static final Set<String> KNOWN = Set.of("model", "messages", "max_tokens", "temperature", "top_p",
            "stop", "n", "seed", "stream", "user", "presence_penalty", "frequency_penalty", "stream_options", "logprobs",
            "top_logprobs", "max_completion_tokens", "logit_bias", "response_format");
    /** Most alternatives per token OpenAI allows in chat log-probs. */
    static final int MAX_TOP_LOGPROBS = 20;
    private static final Set<String> MESSAGE_FIELDS = Set.of("role", "content", "name");

    /** One chat turn. */
    record ChatMessage(String role, String content) {
    }

    static ChatCompletionRequest parse(JsonNode body) {
        String model = CompletionRequest.model(body, KNOWN);
        List<ChatMessage> messages = messages(body.get("messages"));
        if (body.has("max_tokens") && body.has("max_completion_tokens")) {
            throw OpenAiException.invalid("max_completion_tokens",
                    "Give either 'max_tokens' or 'max_completion_tokens', not both.");
        }
        int maxTokens = body.has("max_completion_tokens")
                ? CompletionRequest.intField(body, "max_completion_tokens", DEFAULT_MAX_TOKENS, 0, Integer.MAX_VALUE)
                : CompletionRequest.intField(body, "max_tokens", DEFAULT_MAX_TOKENS, 0, Integer.MAX_VALUE);
        double temperature = CompletionRequest.temperature(body);
        double topP = CompletionRequest.topP(body);
        int n = CompletionRequest.intField(body, "n", 1, 1, CompletionRequest.MAX_N);
        boolean stream = CompletionRequest.bool(body, "stream");
        boolean includeUsage = CompletionRequest.includeUsage(body, stream);
        boolean logprobs = CompletionRequest.bool(body, "logprobs");
        int topLogprobs = CompletionRequest.intField(body, "top_logprobs", 0, 0, MAX_TOP_LOGPROBS);
        if (topLogprobs > 0 && !logprobs) {
            throw OpenAiException.invalid("top_logprobs", "'top_logprobs' requires 'logprobs' to be true.");
        }
        CompletionRequest.unsupportedUnlessEmpty(body, "logit_bias");
        responseFormat(body.get("response_format"));
        Long seed = CompletionRequest.seed(body);
        return new ChatCompletionRequest(model, messages, maxTokens, temperature, topP,
                CompletionRequest.stops(body.get("stop")), n, seed, logprobs, topLogprobs, stream, includeUsage,
                CompletionRequest.penalty(body, "presence_penalty"), CompletionRequest.penalty(body, "frequency_penalty"));
    }

    /** Only plain text output: {@code response_format} absent or {@code {"type": "text"}}. */
    private static void responseFormat(JsonNode format) {
        if (format == null || format.isNull()) {
            return;
        }
        JsonNode type = format.isObject() ? format.get("type") : null;
        if (type == null || !type.isString() || !type.asString().equals("text") || format.size() != 1) {
            throw OpenAiException.invalid("response_format", "Only {\"type\": \"text\"} is supported.");
        }
    }

    private static List<ChatMessage> messages(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw OpenAiException.invalid("messages", "'messages' is required and must be a non-empty array.");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode message = node.get(i);
            if (!message.isObject()) {
                throw OpenAiException.invalid("messages", "messages[" + i + "] must be an object.");
            }
            for (String name : message.propertyNames()) {
                if (!MESSAGE_FIELDS.contains(name)) {
                    throw OpenAiException.invalid("messages", "messages[" + i + "]: unrecognized field '" + name + "'.");
                }
            }
            JsonNode role = message.get("role");
            if (role == null || !role.isString() || !ROLES.contains(role.asString())) {
                throw OpenAiException.invalid("messages", "messages[" + i + "].role must be one of "
                        + "'system', 'user', 'assistant': " + role);
            }
            JsonNode content = message.get("content");
            if (content == null || !content.isString()) {
                throw OpenAiException.invalid("messages", "messages[" + i + "].content must be a string "
                        + "(content parts are not supported).");
            }
            messages.add(new ChatMessage(role.asString(),
                    CompletionRequest.wellFormed("messages", "messages[" + i + "].content", content.asString())));
        }
        return List.copyOf(messages);
    }
}

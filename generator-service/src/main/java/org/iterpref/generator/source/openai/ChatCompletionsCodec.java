package org.iterpref.generator.source.openai;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The JSON of {@code /v1/chat/completions}: request bodies, answers and error bodies. */
public class ChatCompletionsCodec {

    private static final int MAX_ERROR_CHARS = 500;

    private final JsonMapper json;

    public ChatCompletionsCodec(JsonMapper json) {
        this.json = Objects.requireNonNull(json, "json");
    }

    /**
     * {@code {"model", "messages", "temperature", "max_tokens", "top_p"?, "n": 1, "seed"?}}:
     * {@code top_p} only when set, {@code seed} only when not {@code null}.
     */
    public String requestBody(OpenAiSourceSettings settings, List<ChatMessage> messages, Long seed) {
        ObjectNode body = json.createObjectNode();
        body.put("model", settings.model());
        ArrayNode array = body.putArray("messages");
        for (ChatMessage message : messages) {
            array.addObject().put("role", message.role()).put("content", message.content());
        }
        body.put("temperature", settings.temperature());
        body.put("max_tokens", settings.maxTokens());
        if (settings.topP() != null) {
            body.put("top_p", settings.topP());
        }
        body.put("n", 1);
        if (seed != null) {
            body.put("seed", seed);
        }
        return json.writeValueAsString(body);
    }

    /**
     * The first choice of a 2xx answer; its content is empty when the server sent {@code null}
     * (e.g. a reasoning model that spent every token thinking).
     *
     * @throws ModelRequestException when the body is not JSON or has no choices
     */
    public ChatCompletion parse(int status, String body) {
        JsonNode root = readTree(body);
        JsonNode choice = root == null ? null : root.path("choices").path(0);
        if (choice == null || !choice.isObject()) {
            throw new ModelRequestException(status,
                    "the server's answer is not a chat completion: " + abbreviate(body));
        }
        JsonNode content = choice.path("message").path("content");
        JsonNode finish = choice.path("finish_reason");
        JsonNode usage = root.path("usage");
        JsonNode model = root.path("model");
        String answered = model.isString() && !model.stringValue().isBlank() ? model.stringValue().strip() : null;
        if (answered != null && answered.length() > ChatCompletion.MAX_MODEL_CHARS) {
            answered = answered.substring(0, ChatCompletion.MAX_MODEL_CHARS);
        }
        return new ChatCompletion(
                content.isString() ? content.stringValue() : "",
                finish.isString() ? finish.stringValue() : null,
                count(usage.path("prompt_tokens")),
                count(usage.path("completion_tokens")),
                answered);
    }

    /**
     * The server's own error message: {@code error.message} (OpenAI, vLLM), {@code error} as a
     * string (Ollama), {@code message} or {@code detail}; else the body itself, shortened.
     */
    public String errorMessage(String body) {
        JsonNode root = readTree(body);
        if (root != null) {
            for (JsonNode candidate : List.of(root.path("error").path("message"), root.path("error"),
                    root.path("message"), root.path("detail"))) {
                if (candidate.isString() && !candidate.stringValue().isBlank()) {
                    return abbreviate(candidate.stringValue());
                }
            }
        }
        return body == null || body.isBlank() ? "(empty body)" : abbreviate(body);
    }

    /**
     * The context overflow a non-2xx answer reports, when it is one (see {@link ContextOverflow}):
     * OpenAI's shape {@code {"error": {"message", "code", "type"}}}, llama.cpp's with
     * {@code n_ctx}/{@code n_prompt_tokens}, or any other body whose message says so.
     */
    public Optional<ContextOverflow> contextOverflow(String body) {
        JsonNode root = readTree(body);
        JsonNode error = root == null ? null : root.path("error").isObject() ? root.path("error") : root;
        String code = null;
        ContextOverflow counted = new ContextOverflow(null, null);
        if (error != null) {
            JsonNode c = error.path("code").isString() ? error.path("code") : error.path("type");
            code = c.isString() ? c.stringValue() : null;
            counted = new ContextOverflow(count(error.path("n_ctx")), count(error.path("n_prompt_tokens")));
        }
        return ContextOverflow.of(errorMessage(body), code, counted);
    }

    private JsonNode readTree(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (JacksonException e) {
            return null;
        }
    }

    private static Integer count(JsonNode node) {
        return node.isIntegralNumber() && node.canConvertToInt() ? node.intValue() : null;
    }

    private static String abbreviate(String text) {
        String stripped = text.strip();
        return stripped.length() <= MAX_ERROR_CHARS ? stripped : stripped.substring(0, MAX_ERROR_CHARS) + "...";
    }
}

package org.iterpref.trainer.files;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.iterpref.common.pair.ErrorRegion;
import org.iterpref.common.pair.ErrorSpans;
import org.iterpref.trainer.dpo.TrainingPair;
import org.iterpref.trainer.storage.PairLimits;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One JSONL line of an upload as a {@link TrainingPair}. Two formats:
 * <ul>
 *   <li>OpenAI's DPO format: {@code {"input": {"messages": [...]}, "preferred_output":
 *       [{"role": "assistant", "content": ...}], "non_preferred_output": [...]}};</li>
 *   <li>TRL / Target-DPO: {@code {"prompt", "chosen", "rejected"}} as strings, or TRL's
 *       conversational form with {@code prompt} a message list and {@code chosen} /
 *       {@code rejected} one assistant message each.</li>
 * </ul>
 * Either may carry {@code error_spans} (code points into the rejected completion): checked when
 * given, computed by the project's error-region rule when absent. A bad line throws
 * {@link IllegalArgumentException} with the reason.
 */
final class PairLineParser {

    static final int MAX_MESSAGES = 256;
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");
    private static final Set<String> INPUT_FIELDS = Set.of("messages", "tools", "parallel_tool_calls");

    private final JsonMapper json;

    PairLineParser(JsonMapper json) {
        this.json = json;
    }

    TrainingPair parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("a line must be a JSON object");
        }
        boolean openAi = node.has("input") || node.has("preferred_output") || node.has("non_preferred_output");
        boolean trl = node.has("prompt") || node.has("chosen") || node.has("rejected");
        if (openAi && trl) {
            throw new IllegalArgumentException("give OpenAI's input/preferred_output/non_preferred_output or TRL's "
                    + "prompt/chosen/rejected, not both");
        }
        List<TrainingPair.PromptMessage> messages;
        String chosen;
        String rejected;
        if (openAi) {
            messages = input(node.get("input"));
            chosen = completion(node.get("preferred_output"), "preferred_output", false);
            rejected = completion(node.get("non_preferred_output"), "non_preferred_output", false);
        } else if (trl) {
            messages = prompt(node.get("prompt"));
            chosen = completion(node.get("chosen"), "chosen", true);
            rejected = completion(node.get("rejected"), "rejected", true);
        } else {
            throw new IllegalArgumentException("expected OpenAI's DPO format (input, preferred_output, "
                    + "non_preferred_output) or TRL's (prompt, chosen, rejected)");
        }
        PairLimits.check(openAi ? "preferred_output" : "chosen", chosen);
        PairLimits.check(openAi ? "non_preferred_output" : "rejected", rejected);
        if (chosen.equals(rejected)) {
            throw new IllegalArgumentException("the preferred and the rejected completion are identical");
        }
        JsonNode spans = node.get("error_spans");
        Object given = spans == null || spans.isNull() ? null : json.treeToValue(spans, Object.class);
        ErrorRegion region = ErrorSpans.of(ErrorSpans.fromJson(given), rejected, chosen);
        return new TrainingPair(messages, chosen, rejected, region.spans());
    }

    private List<TrainingPair.PromptMessage> input(JsonNode input) {
        if (input == null || !input.isObject()) {
            throw new IllegalArgumentException("input must be an object with messages");
        }
        for (String name : input.propertyNames()) {
            if (!INPUT_FIELDS.contains(name)) {
                throw new IllegalArgumentException("input." + name + " is not supported");
            }
        }
        JsonNode tools = input.get("tools");
        if (tools != null && !tools.isNull() && !(tools.isArray() && tools.isEmpty())) {
            throw new IllegalArgumentException("input.tools: tool definitions are not supported");
        }
        return messages(input.get("messages"), "input.messages");
    }

    private List<TrainingPair.PromptMessage> prompt(JsonNode prompt) {
        if (prompt != null && prompt.isString()) {
            return List.of(new TrainingPair.PromptMessage("user", prompt.asString()));
        }
        if (prompt != null && prompt.isArray()) {
            return messages(prompt, "prompt");
        }
        throw new IllegalArgumentException("prompt must be a string or a list of messages");
    }

    private static List<TrainingPair.PromptMessage> messages(JsonNode array, String field) {
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw new IllegalArgumentException(field + " must be a non-empty list of messages");
        }
        if (array.size() > MAX_MESSAGES) {
            throw new IllegalArgumentException(field + " has more than " + MAX_MESSAGES + " messages");
        }
        List<TrainingPair.PromptMessage> messages = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            messages.add(message(array.get(i), field + "[" + i + "]"));
        }
        return messages;
    }

    private static TrainingPair.PromptMessage message(JsonNode message, String field) {
        if (message == null || !message.isObject()) {
            throw new IllegalArgumentException(field + " must be an object with role and content");
        }
        JsonNode role = message.get("role");
        if (role == null || !role.isString() || !ROLES.contains(role.asString())) {
            throw new IllegalArgumentException(field + ".role must be system, developer, user or assistant");
        }
        // OpenAI's developer role is the system prompt of newer models; chat templates know "system"
        String name = role.asString().equals("developer") ? "system" : role.asString();
        return new TrainingPair.PromptMessage(name, content(message.get("content"), field + ".content"));
    }

    /** A string, or OpenAI's content parts of type text, joined. */
    private static String content(JsonNode content, String field) {
        if (content != null && content.isString()) {
            return content.asString();
        }
        if (content != null && content.isArray() && !content.isEmpty()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                JsonNode type = part.get("type");
                JsonNode value = part.get("text");
                if (type == null || !"text".equals(type.asString()) || value == null || !value.isString()) {
                    throw new IllegalArgumentException(field + ": only text content parts are supported");
                }
                text.append(value.asString());
            }
            return text.toString();
        }
        throw new IllegalArgumentException(field + " must be a string or a list of text parts");
    }

    /** A completion: one assistant message in a list (OpenAI, conversational TRL) or, in TRL, a string. */
    private static String completion(JsonNode node, String field, boolean stringAllowed) {
        String text;
        if (stringAllowed && node != null && node.isString()) {
            text = node.asString();
        } else if (node != null && node.isArray() && node.size() == 1) {
            TrainingPair.PromptMessage message = message(node.get(0), field + "[0]");
            if (!message.role().equals("assistant")) {
                throw new IllegalArgumentException(field + "[0].role must be assistant");
            }
            text = message.content();
        } else {
            throw new IllegalArgumentException(field + " must be " + (stringAllowed ? "a string or " : "")
                    + "a list of exactly one assistant message");
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException(field + " is empty");
        }
        return text;
    }
}

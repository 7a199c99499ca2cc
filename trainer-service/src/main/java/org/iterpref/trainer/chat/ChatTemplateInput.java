package org.iterpref.trainer.chat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code apply_chat_template} in Hugging Face transformers passes a chat template: {@code
 * messages} (a list of dicts with {@code role} and {@code content}, in that order), {@code
 * add_generation_prompt}, and the tokenizer's special tokens by name ({@code bos_token}, {@code
 * eos_token}, ...; absent ones stay undefined). {@code tools} and {@code documents} are left
 * undefined, which templates treat as transformers' {@code None}.
 *
 * @param messages the conversation; each message's entries are kept in order
 * @param addGenerationPrompt whether to end with the assistant's opening
 * @param specialTokens special token strings by variable name
 */
public record ChatTemplateInput(List<Map<String, Object>> messages, boolean addGenerationPrompt,
                                Map<String, String> specialTokens) {

    /** Copies (keeping order) and freezes. */
    public ChatTemplateInput {
        List<Map<String, Object>> copies = new ArrayList<>(messages.size());
        for (Map<String, Object> message : messages) {
            copies.add(Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(message, "message"))));
        }
        messages = Collections.unmodifiableList(copies);
        specialTokens = Collections.unmodifiableMap(new LinkedHashMap<>(specialTokens));
    }

    /** A message {@code {"role": role, "content": content}}. */
    public static Map<String, Object> message(String role, String content) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("role", role);
        message.put("content", content);
        return message;
    }

    /** The template's variables. */
    Map<String, Object> variables() {
        Map<String, Object> variables = new LinkedHashMap<>(specialTokens);
        variables.put("messages", messages);
        variables.put("add_generation_prompt", addGenerationPrompt);
        return variables;
    }
}

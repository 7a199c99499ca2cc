package org.iterpref.trainer.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongPredicate;
import org.iterpref.trainer.chat.ChatTemplateException;
import org.iterpref.trainer.chat.ChatTemplateInput;
import org.iterpref.trainer.serving.ChatCompletionRequest.ChatMessage;
import org.iterpref.trainer.tokenizer.TextTokenizer;

/**
 * Turns chat messages into a model's prompt, choosing as Hugging Face does: the model's {@code
 * chat_template} (from its tokenizer config) when it has one, rendered like {@code
 * apply_chat_template(messages, add_generation_prompt=True)}; else built-in ChatML when the
 * tokenizer has the {@code <|im_start|>} / {@code <|im_end|>} tokens (Qwen family); else the
 * model cannot chat (400). Generation stops at {@code <|im_end|>} when the tokenizer has it and
 * at every EOS id.
 */
final class ChatPrompt {

    static final String IM_START = "<|im_start|>";
    static final String IM_END = "<|im_end|>";

    private ChatPrompt() {
    }

    /**
     * A rendered chat prompt.
     *
     * @param text the prompt text, to encode without adding special tokens (the template writes them)
     * @param isStop the ids that end the assistant's reply
     */
    record Rendered(String text, LongPredicate isStop) {
    }

    /**
     * The prompt for {@code messages} on {@code loaded}.
     *
     * @throws OpenAiException 400 about {@code model} when the model has no chat template and no
     *     ChatML tokens, or its template cannot be parsed; 400 about {@code messages} when the
     *     template rejects them ({@code raise_exception}) or fails on them
     */
    static Rendered render(LoadedModel loaded, List<ChatMessage> messages) {
        ModelChatTemplate chat = loaded.chatTemplate();
        TextTokenizer tokenizer = loaded.tokenizer();
        LongPredicate isStop = stops(tokenizer);
        if (chat.parseError().isPresent()) {
            throw unparseable(loaded.name(), chat.parseError().get());
        }
        if (chat.template().isPresent()) {
            ChatTemplateInput input = new ChatTemplateInput(templateMessages(messages), true, chat.specialTokens());
            try {
                return new Rendered(chat.template().get().render(input), isStop);
            } catch (ChatTemplateException e) {
                throw failed(loaded.name(), e);
            }
        }
        if (chatMlEndId(tokenizer).isPresent()) {
            return new Rendered(chatMl(messages), isStop);
        }
        throw OpenAiException.invalid("model", "Model '" + loaded.name() + "' has no chat template: its tokenizer "
                + "config has no chat_template and its tokenizer no ChatML tokens. Use /v1/completions with a "
                + "prompt instead.");
    }

    /** {@code <|im_end|>} when the tokenizer has it, and every EOS id. */
    static LongPredicate stops(TextTokenizer tokenizer) {
        OptionalLong imEnd = tokenizer.tokenId(IM_END);
        return id -> (imEnd.isPresent() && id == imEnd.getAsLong()) || tokenizer.specialTokens().isEos(id);
    }

    /** The {@code <|im_end|>} id when the tokenizer speaks ChatML (has both markers). */
    static OptionalLong chatMlEndId(TextTokenizer tokenizer) {
        OptionalLong start = tokenizer.tokenId(IM_START);
        OptionalLong end = tokenizer.tokenId(IM_END);
        return start.isPresent() && end.isPresent() ? end : OptionalLong.empty();
    }

    /** ChatML: {@code <|im_start|>{role}\n{content}<|im_end|>\n} per message, then the assistant's opening. */
    static String chatMl(List<ChatMessage> messages) {
        StringBuilder text = new StringBuilder();
        for (ChatMessage message : messages) {
            text.append(IM_START).append(message.role()).append('\n')
                    .append(message.content()).append(IM_END).append('\n');
        }
        return text.append(IM_START).append("assistant\n").toString();
    }

    private static List<Map<String, Object>> templateMessages(List<ChatMessage> messages) {
        List<Map<String, Object>> dicts = new ArrayList<>(messages.size());
        for (ChatMessage message : messages) {
            dicts.add(ChatTemplateInput.message(message.role(), message.content()));
        }
        return dicts;
    }

    private static OpenAiException unparseable(String model, ChatTemplateException e) {
        return OpenAiException.invalid("model", "The chat template of model '" + model + "' cannot be parsed: "
                + e.getMessage());
    }

    private static OpenAiException failed(String model, ChatTemplateException e) {
        switch (e.kind()) {
            case SYNTAX:
                return unparseable(model, e);
            case RAISED:
                return OpenAiException.invalid("messages", "The chat template of model '" + model
                        + "' rejected the messages: " + e.detail());
            default:
                return OpenAiException.invalid("messages", "The chat template of model '" + model
                        + "' failed on these messages: " + e.getMessage());
        }
    }
}

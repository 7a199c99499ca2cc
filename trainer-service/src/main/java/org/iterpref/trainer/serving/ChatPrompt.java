package org.iterpref.trainer.serving;

import java.util.List;
import java.util.OptionalLong;
import org.iterpref.trainer.serving.ChatCompletionRequest.ChatMessage;
import org.iterpref.trainer.tokenizer.TextTokenizer;

/**
 * Renders chat messages into a prompt. Only ChatML (Qwen family: {@code <|im_start|>} /
 * {@code <|im_end|>} tokens) is supported for now; models without it get a 400 until a Jinja
 * chat-template renderer is added.
 */
final class ChatPrompt {

    static final String IM_START = "<|im_start|>";
    static final String IM_END = "<|im_end|>";

    private ChatPrompt() {
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

    /** The 400 for a model whose tokenizer has no ChatML tokens. */
    static OpenAiException unsupported(String model, boolean hasTemplate) {
        return OpenAiException.invalid("model", "Chat completions are not supported for model '" + model + "': "
                + (hasTemplate
                        ? "its tokenizer has no ChatML tokens and rendering its Jinja chat template is not "
                                + "implemented yet (a Jinja renderer comes later)."
                        : "its tokenizer has no ChatML tokens and no chat template (a Jinja chat-template "
                                + "renderer comes later)."));
    }
}

package org.iterpref.trainer.dpo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.iterpref.trainer.chat.ChatTemplateException;
import org.iterpref.trainer.chat.ChatTemplateInput;
import org.iterpref.trainer.dpo.DpoHyperparameters.PromptFormat;
import org.iterpref.trainer.dpo.TrainingPair.PromptMessage;
import org.iterpref.trainer.serving.ModelChatTemplate;
import org.iterpref.trainer.tokenizer.TextTokenizer;

/**
 * Turns a pair's prompt into the text the model saw when it was asked, and picks the token that
 * ends a completion.
 *
 * <p>Chat: the model's {@code chat_template} with the generation prompt, as the generator's
 * {@code openai} source asked it through {@code /v1/chat/completions} (or built-in ChatML for a
 * Qwen-family tokenizer without a template); a completion then ends with the end-of-turn token —
 * {@code <|im_end|>} (ChatML), {@code <|eot_id|>} (Llama 3), else the EOS token, which templates
 * such as Llama 2's write after an assistant turn. Raw: the messages' contents joined by newlines,
 * and EOS.
 */
final class PromptRenderer {

    private static final String IM_START = "<|im_start|>";
    private static final String IM_END = "<|im_end|>";
    private static final String EOT_ID = "<|eot_id|>";

    private final ModelChatTemplate chat;
    private final boolean useChat;
    private final boolean chatMl;
    private final long endToken;

    PromptRenderer(TextTokenizer tokenizer, ModelChatTemplate chat, PromptFormat format) {
        this.chat = chat;
        OptionalLong imStart = tokenizer.tokenId(IM_START);
        OptionalLong imEnd = tokenizer.tokenId(IM_END);
        boolean hasTemplate = chat.template().isPresent();
        this.chatMl = !hasTemplate && imStart.isPresent() && imEnd.isPresent();
        boolean canChat = hasTemplate || chatMl;
        if (format == PromptFormat.CHAT && !canChat) {
            throw new IllegalArgumentException("prompt_format chat: the model has no chat template"
                    + chat.parseError().map(e -> " that parses (" + e.getMessage() + ")").orElse("")
                    + " and its tokenizer no ChatML tokens");
        }
        this.useChat = format != PromptFormat.RAW && canChat;
        OptionalLong eos = tokenizer.specialTokens().primaryEosId();
        OptionalLong end = useChat ? first(imEnd, tokenizer.tokenId(EOT_ID), eos) : eos;
        if (end.isEmpty()) {
            throw new IllegalArgumentException("the model's tokenizer names no end token (no EOS id)"
                    + (useChat ? " and no end-of-turn token" : ""));
        }
        this.endToken = end.getAsLong();
    }

    /** Whether prompts are rendered as chat (else raw text). */
    boolean chat() {
        return useChat;
    }

    /** The token appended to every completion. */
    long endToken() {
        return endToken;
    }

    /** The prompt text, to be encoded without adding special tokens. */
    String render(List<PromptMessage> messages) {
        if (!useChat) {
            return String.join("\n", messages.stream().map(PromptMessage::content).toList());
        }
        if (chatMl) {
            StringBuilder text = new StringBuilder();
            for (PromptMessage message : messages) {
                text.append(IM_START).append(message.role()).append('\n').append(message.content()).append(IM_END)
                        .append('\n');
            }
            return text.append(IM_START).append("assistant\n").toString();
        }
        List<Map<String, Object>> dicts = new ArrayList<>(messages.size());
        for (PromptMessage message : messages) {
            dicts.add(ChatTemplateInput.message(message.role(), message.content()));
        }
        try {
            return chat.template().orElseThrow().render(new ChatTemplateInput(dicts, true, chat.specialTokens()));
        } catch (ChatTemplateException e) {
            throw new IllegalArgumentException("the model's chat template failed on a prompt: " + e.getMessage(), e);
        }
    }

    private static OptionalLong first(OptionalLong... candidates) {
        for (OptionalLong candidate : candidates) {
            if (candidate.isPresent()) {
                return candidate;
            }
        }
        return OptionalLong.empty();
    }
}

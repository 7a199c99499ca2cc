package org.iterpref.trainer.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.iterpref.trainer.Fixtures;
import org.iterpref.trainer.chat.ChatTemplateEngine;
import org.iterpref.trainer.serving.ChatCompletionRequest.ChatMessage;
import org.iterpref.trainer.tokenizer.TextTokenizer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@link ChatPrompt} picks and renders a model's chat format, and its 400s. */
class ChatPromptTest {

    private static final ChatTemplateEngine ENGINE = new ChatTemplateEngine();
    private static final List<ChatMessage> CHAT = List.of(new ChatMessage("system", "You are terse."),
            new ChatMessage("user", "def add(a, b):"));

    @TempDir
    Path dir;

    private final List<TextTokenizer> opened = new ArrayList<>();

    @AfterEach
    void close() {
        opened.forEach(TextTokenizer::close);
    }

    private LoadedModel model(String name, Path directory) {
        TextTokenizer tokenizer = TextTokenizer.open(directory);
        opened.add(tokenizer);
        return new LoadedModel(name, null, tokenizer, 512, ModelChatTemplate.prepare(name, tokenizer, ENGINE));
    }

    private static OpenAiException failure(LoadedModel model, List<ChatMessage> messages) {
        try {
            ChatPrompt.render(model, messages);
        } catch (OpenAiException e) {
            return e;
        }
        throw new AssertionError("no OpenAiException");
    }

    @Test
    void qwensOwnTemplateGivesTheBuiltInChatMl() {
        LoadedModel qwen = model("qwen", Fixtures.root().resolve("tokenizer-qwen"));
        assertThat(qwen.chatTemplate().template()).isPresent();
        List<List<ChatMessage>> conversations = List.of(CHAT,
                List.of(new ChatMessage("user", "Hi")),
                List.of(new ChatMessage("user", "2+2?"), new ChatMessage("assistant", "4"),
                        new ChatMessage("user", "times 3?")),
                List.of(new ChatMessage("system", "Fix code."),
                        new ChatMessage("user", "def f():\n\treturn 1  # café 日本 🙂\r\n")));
        for (List<ChatMessage> messages : conversations) {
            assertThat(ChatPrompt.render(qwen, messages).text()).isEqualTo(ChatPrompt.chatMl(messages));
        }
        long imEnd = qwen.tokenizer().tokenId("<|im_end|>").orElseThrow();
        long endOfText = qwen.tokenizer().tokenId("<|endoftext|>").orElseThrow();
        assertThat(ChatPrompt.render(qwen, CHAT).isStop().test(imEnd)).isTrue();
        assertThat(ChatPrompt.render(qwen, CHAT).isStop().test(endOfText)).isFalse();
        assertThat(ChatPrompt.render(qwen, CHAT).isStop().test(872)).isFalse();
    }

    @Test
    void aTemplateWinsOverChatMlTokens() {
        LoadedModel llama = model("llama-chat",
                ChatModels.model("tiny-llama", dir, ChatModels.template("llama3.jinja")));
        assertThat(ChatPrompt.render(llama, CHAT).text()).isEqualTo(
                "<|endoftext|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\ndef add(a, b):<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n");
        assertThat(ChatPrompt.render(llama, CHAT).isStop().test(2045)).as("EOS").isTrue();
        assertThat(ChatPrompt.render(llama, CHAT).isStop().test(2047)).as("<|im_end|>").isTrue();
        assertThat(ChatPrompt.render(llama, CHAT).isStop().test(2046)).isFalse();
    }

    @Test
    void templatesSeeTheTokenizersSpecialTokens() {
        LoadedModel model = model("m", ChatModels.model("tiny-llama", dir,
                "{{ bos_token }}|{{ eos_token }}|{{ pad_token }}|{{ unk_token }}|{{ messages | length }}"));
        assertThat(ChatPrompt.render(model, CHAT).text()).isEqualTo("<|endoftext|>|<|endoftext|>|||2");
    }

    @Test
    void withoutATemplateChatMlTokensGiveChatMl() {
        LoadedModel qwen2 = model("tiny-qwen2", Fixtures.model("tiny-qwen2"));
        assertThat(qwen2.chatTemplate().template()).isEmpty();
        assertThat(ChatPrompt.render(qwen2, CHAT).text()).isEqualTo(ChatPrompt.chatMl(CHAT));
    }

    @Test
    void withNeitherTheModelCannotChat() {
        LoadedModel plain = model("plain", ChatModels.withoutChatMl(ChatModels.model("tiny-llama", dir, null)));
        OpenAiException e = failure(plain, CHAT);
        assertThat(e.status().value()).isEqualTo(400);
        assertThat(e.type()).isEqualTo("invalid_request_error");
        assertThat(e.param()).isEqualTo("model");
        assertThat(e.getMessage()).contains("'plain'").contains("has no chat template");
    }

    @Test
    void anUnparseableTemplateIsA400AboutTheModel() {
        LoadedModel broken = model("broken", ChatModels.model("tiny-llama", dir,
                "{%- for m in messages %}\n{{ m.content }}\n{%- endfor %}\n{{ 'unclosed' + }}"));
        assertThat(broken.chatTemplate().parseError()).isPresent();
        OpenAiException e = failure(broken, CHAT);
        assertThat(e.status().value()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("model");
        assertThat(e.getMessage()).contains("chat template of model 'broken' cannot be parsed")
                .contains("'unclosed' +").contains("(line 4)");
    }

    @Test
    void aTemplateRejectingTheMessagesIsA400AboutThem() {
        LoadedModel llama2 = model("llama2", ChatModels.model("tiny-llama", dir, ChatModels.template("llama2.jinja")));
        OpenAiException e = failure(llama2, List.of(new ChatMessage("user", "one"), new ChatMessage("user", "two")));
        assertThat(e.status().value()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("messages");
        assertThat(e.getMessage()).contains("'llama2'")
                .contains("Conversation roles must alternate user/assistant/user/assistant/...");
        assertThat(ChatPrompt.render(llama2, CHAT).text())
                .isEqualTo("<|endoftext|>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\ndef add(a, b): [/INST]");
    }

    @Test
    void aTemplateFailingOnTheMessagesIsA400AboutThem() {
        LoadedModel model = model("m", ChatModels.model("tiny-llama", dir, "{{ messages[0].content.split('') }}"));
        OpenAiException e = failure(model, CHAT);
        assertThat(e.param()).isEqualTo("messages");
        assertThat(e.getMessage()).contains("chat template of model 'm' failed").contains("empty separator");
    }
}

package org.iterpref.trainer.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How tokenizer_config.json, generation_config.json and chat_template.jinja combine. */
class SpecialTokensAndTemplateTest {

    @TempDir
    Path dir;

    @Test
    void eosIdsAreTheUnionOfBothFilesTokenizerConfigFirst() throws IOException {
        copyTinyTokenizer();
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"eos_token": "<|im_end|>",
                 "pad_token": {"__type": "AddedToken", "content": "<|endoftext|>", "special": true},
                 "bos_token": null}
                """);
        Files.writeString(dir.resolve("generation_config.json"),
                "{\"eos_token_id\": [2045, 2047], \"bos_token_id\": 2046, \"pad_token_id\": 7}");
        try (TextTokenizer tokenizer = TextTokenizer.open(dir)) {
            SpecialTokens specials = tokenizer.specialTokens();
            assertThat(specials.eosIds()).containsExactly(2047L, 2045L);
            assertThat(specials.primaryEosId()).hasValue(2047);
            assertThat(specials.isEos(2045)).isTrue();
            assertThat(specials.isEos(2046)).isFalse();
            assertThat(specials.bosId()).hasValue(2046); // tokenizer_config has none: generation_config's
            assertThat(specials.padId()).hasValue(2045); // tokenizer_config's wins
        }
    }

    @Test
    void singleEosIdInGenerationConfig() throws IOException {
        copyTinyTokenizer();
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": 2047}");
        try (TextTokenizer tokenizer = TextTokenizer.open(dir)) {
            assertThat(tokenizer.specialTokens().eosIds()).containsExactly(2047L);
            assertThat(tokenizer.specialTokens().bosId()).isEmpty();
        }
    }

    @Test
    void namedChatTemplates() throws IOException {
        copyTinyTokenizer();
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"chat_template": [{"name": "default", "template": "{{ messages }}"},
                                   {"name": "tool_use", "template": "{{ tools }}"}]}
                """);
        try (TextTokenizer tokenizer = TextTokenizer.open(dir)) {
            ChatTemplateSource chat = tokenizer.chatTemplate();
            assertThat(chat.template()).hasValue("{{ messages }}");
            assertThat(chat.template("tool_use")).hasValue("{{ tools }}");
            assertThat(chat.templates()).containsOnlyKeys("default", "tool_use");
            assertThat(chat.source()).hasValue(dir.resolve("tokenizer_config.json"));
        }
    }

    @Test
    void chatTemplateJinjaFileTakesPrecedence() throws IOException {
        copyTinyTokenizer();
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"old {{ x }}\"}");
        Files.writeString(dir.resolve("chat_template.jinja"), "new {{ x }} — ✓\n");
        ChatTemplateSource chat = ChatTemplateSource.load(dir);
        assertThat(chat.template()).hasValue("new {{ x }} — ✓\n");
        assertThat(chat.source()).hasValue(dir.resolve("chat_template.jinja"));
    }

    @Test
    void noChatTemplate() throws IOException {
        copyTinyTokenizer();
        assertThat(ChatTemplateSource.load(dir).isPresent()).isFalse();
        assertThat(ChatTemplateSource.load(Fixtures.dir("models/tiny-qwen2")).template()).isEmpty();
    }

    private void copyTinyTokenizer() throws IOException {
        Files.copy(Fixtures.dir("tokenizer").resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
    }
}

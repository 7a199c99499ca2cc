package org.iterpref.trainer.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.util.Utils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/** Vocabulary, special tokens, offsets conversion, decode options and lifecycle of {@link TextTokenizer}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TextTokenizerTest {

    private TextTokenizer tinyQwen2;
    private TextTokenizer qwen;

    @BeforeAll
    void open() {
        tinyQwen2 = TextTokenizer.open(Fixtures.dir("models/tiny-qwen2"));
        qwen = TextTokenizer.open(Fixtures.dir("tokenizer-qwen"));
    }

    @AfterAll
    void close() {
        tinyQwen2.close();
        qwen.close();
    }

    @Test
    void djlRunsOffline() {
        assertThat(Utils.isOfflineMode()).isTrue();
    }

    @Test
    void tinyQwen2SpecialTokens() {
        assertThat(tinyQwen2.tokenId("<|endoftext|>")).hasValue(2045);
        assertThat(tinyQwen2.tokenId("<|im_start|>")).hasValue(2046);
        assertThat(tinyQwen2.tokenId("<|im_end|>")).hasValue(2047);
        SpecialTokens specials = tinyQwen2.specialTokens();
        assertThat(specials.specialTokenIds())
                .containsExactly(entry("<|endoftext|>", 2045L), entry("<|im_start|>", 2046L), entry("<|im_end|>", 2047L));
        assertThat(specials.eosIds()).containsExactly(2045L);
        assertThat(specials.primaryEosId()).hasValue(2045);
        assertThat(specials.bosId()).hasValue(2045); // generation_config's bos_token_id
        assertThat(specials.padId()).hasValue(2045);
        assertThat(specials.unkId()).isEmpty();
        assertThat(tinyQwen2.vocabularySize()).isEqualTo(2048);
        assertThat(tinyQwen2.maxTokenId()).isEqualTo(2047);
        assertThat(tinyQwen2.chatTemplate().isPresent()).isFalse();
    }

    @Test
    void qwenSpecialTokens() {
        assertThat(qwen.tokenId("<|endoftext|>")).hasValue(151643);
        assertThat(qwen.tokenId("<|im_start|>")).hasValue(151644);
        assertThat(qwen.tokenId("<|im_end|>")).hasValue(151645);
        assertThat(qwen.tokenId("Ġthe")).isPresent();
        assertThat(qwen.tokenId("no such token")).isEmpty();
        SpecialTokens specials = qwen.specialTokens();
        assertThat(specials.id("<|im_end|>")).hasValue(151645);
        assertThat(specials.specialTokenIds()).hasSize(14).doesNotContainKey("<think>");
        assertThat(specials.eosIds()).containsExactly(151645L); // eos_token <|im_end|>, no generation_config
        assertThat(specials.padId()).hasValue(151643);
        assertThat(specials.bosId()).isEmpty();
        assertThat(specials.isSpecial(151644)).isTrue();
        assertThat(qwen.vocabularySize()).isEqualTo(151_643 + 26);
        assertThat(qwen.maxTokenId()).isEqualTo(151_668);
    }

    @Test
    void qwenChatTemplateIsExposed() {
        ChatTemplateSource chat = qwen.chatTemplate();
        assertThat(chat.isPresent()).isTrue();
        assertThat(chat.template()).hasValueSatisfying(t -> assertThat(t).contains("<|im_start|>").contains("{%"));
        assertThat(chat.source()).hasValue(Fixtures.dir("tokenizer-qwen").resolve("tokenizer_config.json"));
        assertThat(ChatTemplateSource.load(Fixtures.dir("tokenizer-qwen")).template()).isEqualTo(chat.template());
    }

    @Test
    void offsetsAfterEmojiAndSupplementaryCjkAreCodePoints() {
        String text = "a 🚀 b 𠮷野家 c";
        Encoding encoding = qwen.encode(text);
        CodePointIndex index = CodePointIndex.of(text);
        int differing = 0;
        for (int i = 0; i < encoding.size(); i++) {
            CodePointSpan span = encoding.offsets().get(i);
            String piece = qwen.decode(new long[] {encoding.id(i)}, false);
            if (!piece.contains("\uFFFD")) { // a whole-character token: its span covers exactly its text
                assertThat(index.slice(span)).as("token %d", i).isEqualTo(piece).isEqualTo(span.slice(text));
            }
            if (index.toUtf16(span.start()) != span.start()) {
                differing++;
            }
        }
        assertThat(differing).as("tokens whose code-point and UTF-16 starts differ").isPositive();
        CodePointSpan last = encoding.offsets().get(encoding.size() - 1);
        assertThat(last).isEqualTo(new CodePointSpan(9, 11)); // " c": UTF-16 indices 11..13
        assertThat(index.toUtf16(last.start())).isEqualTo(text.indexOf(" c")).isEqualTo(11);
        assertThat(last.slice(text)).isEqualTo(" c");
        assertThat(text.substring(last.start(), last.end())).isNotEqualTo(" c");
    }

    @Test
    void specialTokensInTextAreRecognisedAndCanBeSkippedOnDecode() {
        Encoding encoding = qwen.encode("<|im_start|>user\nhi<|im_end|>");
        assertThat(encoding.id(0)).isEqualTo(151644);
        assertThat(encoding.offsets().get(0)).isEqualTo(new CodePointSpan(0, 12));
        assertThat(encoding.id(encoding.size() - 1)).isEqualTo(151645);
        assertThat(qwen.decode(encoding.ids(), true)).isEqualTo("user\nhi");
        assertThat(qwen.decode(encoding.intIds(), false)).isEqualTo("<|im_start|>user\nhi<|im_end|>");
    }

    @Test
    void addedSpecialTokensGetEmptySpans(@TempDir Path dir) throws Exception {
        ObjectNode json = (ObjectNode) Fixtures.JSON.readTree(Files.readAllBytes(
                Fixtures.dir("tokenizer").resolve("tokenizer.json")));
        json.set("post_processor", Fixtures.JSON.readTree("""
                {"type": "TemplateProcessing",
                 "single": [{"SpecialToken": {"id": "<|im_start|>", "type_id": 0}},
                            {"Sequence": {"id": "A", "type_id": 0}}],
                 "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                 "special_tokens": {"<|im_start|>": {"id": "<|im_start|>", "ids": [2046], "tokens": ["<|im_start|>"]}}}
                """));
        Files.write(dir.resolve("tokenizer.json"), Fixtures.JSON.writeValueAsBytes(json));
        try (TextTokenizer tokenizer = TextTokenizer.open(dir)) {
            Encoding plain = tokenizer.encode("hi there");
            Encoding withSpecials = tokenizer.encode("hi there", true);
            assertThat(withSpecials.id(0)).isEqualTo(2046);
            assertThat(withSpecials.offsets().get(0)).isEqualTo(CodePointSpan.EMPTY);
            assertThat(withSpecials.offsets().subList(1, withSpecials.size())).isEqualTo(plain.offsets());
        }
    }

    @Test
    void longTextIsNotTruncated() {
        String text = "x = 1\n".repeat(2000);
        Encoding encoding = qwen.encode(text);
        assertThat(encoding.size()).isGreaterThan(2000);
        assertThat(encoding.offsets().get(encoding.size() - 1).end()).isEqualTo(text.length());
        assertThat(qwen.decode(encoding.ids(), false)).isEqualTo(text);
    }

    @Test
    void decodeRejectsIdsThatWouldWrapAndSkipsUnknownOnes() {
        assertThatThrownBy(() -> qwen.decode(new long[] {-1}, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> qwen.decode(new long[] {1L << 32}, false)).isInstanceOf(IllegalArgumentException.class);
        assertThat(qwen.decode(new long[] {151_900, 151645}, false)).isEqualTo("<|im_end|>");
    }

    @Test
    void unpairedSurrogateIsRejected() {
        assertThatThrownBy(() -> qwen.encode("ab\uD83D")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index 2");
        assertThatThrownBy(() -> qwen.encode("\uDE80x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void openingTokenizerJsonUsesTheConfigBesideIt() {
        try (TextTokenizer byFile = TextTokenizer.open(Fixtures.dir("models/tiny-qwen2").resolve("tokenizer.json"))) {
            assertThat(byFile.specialTokens()).isEqualTo(tinyQwen2.specialTokens());
        }
        Path qwenJson = Fixtures.dir("tokenizer-qwen").resolve("tokenizer.json");
        try (TextTokenizer alone = TextTokenizer.open(TokenizerFiles.tokenizerOnly(qwenJson))) {
            assertThat(alone.specialTokens().eosIds()).isEmpty();
            assertThat(alone.specialTokens().id("<|im_end|>")).hasValue(151645);
            assertThat(alone.chatTemplate().isPresent()).isFalse();
        }
    }

    @Test
    void closedTokenizerRefusesWorkAndClosesOnce() {
        TextTokenizer tokenizer = TextTokenizer.open(Fixtures.dir("tokenizer"));
        tokenizer.close();
        tokenizer.close();
        assertThatThrownBy(() -> tokenizer.encode("x")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> tokenizer.decode(new long[] {1}, false)).isInstanceOf(IllegalStateException.class);
        assertThat(tokenizer.vocabularySize()).isEqualTo(2048);
    }

    @Test
    void concurrentUseGivesTheSameResults() throws Exception {
        List<Fixtures.Vector> vectors = Fixtures.vectors("tokenizer-qwen");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int task = 0; task < 32; task++) {
                results.add(pool.submit(() -> vectors.stream().allMatch(v ->
                        qwen.encode(v.text()).offsets().equals(v.offsets())
                                && qwen.decode(v.ids(), false).equals(v.decoded()))));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Map.Entry<String, Long> entry(String key, long value) {
        return Map.entry(key, value);
    }
}

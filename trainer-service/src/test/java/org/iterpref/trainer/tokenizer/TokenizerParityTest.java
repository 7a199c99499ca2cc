package org.iterpref.trainer.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The proof that tokenization is right: every vector of the golden fixtures ({@code
 * tokenizer/vectors.json}, the tiny byte-level BPE, and {@code tokenizer-qwen/vectors.json}, the
 * real Qwen3 tokenizer) is reproduced exactly — ids, code-point offsets, and the decode with
 * special tokens kept — as Hugging Face tokenizers produced them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenizerParityTest {

    private TextTokenizer tiny;
    private TextTokenizer qwen;

    @BeforeAll
    void open() {
        tiny = TextTokenizer.open(Fixtures.dir("tokenizer"));
        qwen = TextTokenizer.open(Fixtures.dir("tokenizer-qwen"));
    }

    @AfterAll
    void close() {
        tiny.close();
        qwen.close();
    }

    List<Fixtures.Vector> tinyVectors() {
        return Fixtures.vectors("tokenizer");
    }

    List<Fixtures.Vector> qwenVectors() {
        return Fixtures.vectors("tokenizer-qwen");
    }

    @ParameterizedTest(name = "tiny {0}")
    @MethodSource("tinyVectors")
    void tinyTokenizerMatchesHuggingFace(Fixtures.Vector vector) {
        assertMatches(tiny, vector);
    }

    @ParameterizedTest(name = "qwen {0}")
    @MethodSource("qwenVectors")
    void qwenTokenizerMatchesHuggingFace(Fixtures.Vector vector) {
        assertMatches(qwen, vector);
    }

    @Test
    void fixturesExerciseWhatTheyClaim() {
        assertThat(tinyVectors()).hasSizeGreaterThanOrEqualTo(8);
        assertThat(qwenVectors()).hasSizeGreaterThanOrEqualTo(10);
        // an emoji: code-point offsets differ from UTF-16 indices in at least one vector
        assertThat(qwenVectors()).anyMatch(v -> v.text().codePointCount(0, v.text().length()) != v.text().length());
        // special tokens written in the text, and the empty string
        assertThat(qwenVectors()).anyMatch(v -> v.text().contains("<|im_start|>"));
        assertThat(qwenVectors()).anyMatch(v -> v.text().isEmpty());
    }

    private static void assertMatches(TextTokenizer tokenizer, Fixtures.Vector vector) {
        Encoding encoding = tokenizer.encode(vector.text());
        assertThat(encoding.ids()).as("ids").containsExactly(vector.ids());
        assertThat(encoding.offsets()).as("code-point offsets").containsExactlyElementsOf(vector.offsets());
        assertThat(tokenizer.decode(vector.ids(), false)).as("decode, specials kept").isEqualTo(vector.decoded());
    }
}

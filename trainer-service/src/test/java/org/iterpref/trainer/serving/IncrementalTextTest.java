package org.iterpref.trainer.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.iterpref.trainer.Fixtures;
import org.iterpref.trainer.tokenizer.TextTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Streaming detokenization and stop strings, against whole-sequence decoding. */
class IncrementalTextTest {

    private static final List<String> TEXTS = List.of(
            "def add(a, b):\n\treturn a + b\n\n\nprint(add(1, 2))",
            "naïve café — 日本語のテキスト 🚀 done\r\nnext",
            "🚀🚀 emoji only 🎉",
            "x = '''multi\nline'''  # comment ### end",
            "");

    private static TextTokenizer tokenizer;

    @BeforeAll
    static void open() {
        tokenizer = TextTokenizer.open(Fixtures.model("tiny-qwen2"));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private record Streamed(List<String> chunks, String text, boolean stopped) {
        String joined() {
            return String.join("", chunks);
        }
    }

    private static Streamed stream(long[] ids, List<String> stops) {
        IncrementalText text = new IncrementalText(tokenizer, stops);
        List<String> chunks = new ArrayList<>();
        for (long id : ids) {
            chunks.add(text.add(id));
            if (text.stopped()) {
                break;
            }
        }
        chunks.add(text.finish());
        return new Streamed(chunks, text.text(), text.stopped());
    }

    @Test
    void chunksConcatenateToTheWholeDecode() {
        for (String source : TEXTS) {
            long[] ids = tokenizer.encode(source).ids();
            Streamed streamed = stream(ids, List.of());
            assertThat(streamed.joined()).isEqualTo(tokenizer.decode(ids, true)).isEqualTo(streamed.text());
            assertThat(streamed.stopped()).isFalse();
        }
    }

    @Test
    void incompleteCharactersAreHeldUntilComplete() {
        long[] ids = tokenizer.encode("a🚀b日本").ids();
        assertThat(ids.length).as("multi-byte characters span byte tokens").isGreaterThan(5);
        Streamed streamed = stream(ids, List.of());
        for (String chunk : streamed.chunks()) {
            assertThat(chunk).doesNotContain("\uFFFD");
        }
        assertThat(streamed.joined()).isEqualTo("a🚀b日本");
    }

    @Test
    void textEndsBeforeTheFirstStopStringEvenAcrossTokens() {
        String source = "def f():\n    return 1\n\n\ndef g():\n    pass";
        long[] ids = tokenizer.encode(source).ids();
        for (List<String> stops : List.of(List.of("\n\n\n"), List.of("def g", "return"), List.of("pass"),
                List.of("():\n"), List.of("absent"))) {
            Streamed streamed = stream(ids, stops);
            int cut = -1;
            for (String stop : stops) {
                int at = source.indexOf(stop);
                if (at >= 0 && (cut < 0 || at < cut)) {
                    cut = at;
                }
            }
            String expected = cut < 0 ? source : source.substring(0, cut);
            assertThat(streamed.text()).as("stops %s", stops).isEqualTo(expected);
            assertThat(streamed.joined()).as("released %s", stops).isEqualTo(expected);
            assertThat(streamed.stopped()).isEqualTo(cut >= 0);
        }
    }

    @Test
    void aPossibleStopPrefixIsHeldBackUntilDecided() {
        long[] ids = tokenizer.encode("abc END x").ids();
        IncrementalText text = new IncrementalText(tokenizer, List.of("ENDING"));
        StringBuilder released = new StringBuilder();
        for (long id : ids) {
            released.append(text.add(id));
            assertThat(released.toString()).as("never releases a tail that may start the stop string")
                    .doesNotEndWith("E").doesNotEndWith("EN").doesNotEndWith("END");
        }
        released.append(text.finish());
        assertThat(released.toString()).isEqualTo("abc END x");
    }

    @Test
    void randomTokenSequencesDecodeTheSameIncrementally() {
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            long[] ids = new long[1 + random.nextInt(40)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = random.nextInt(2045);
            }
            Streamed streamed = stream(ids, List.of());
            assertThat(streamed.joined()).isEqualTo(tokenizer.decode(ids, true));
        }
    }
}

package org.iterpref.generator.source.openai;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromptFitterTest {

    @Test
    void shortenKeepsTwoThirdsFromTheHeadAndOneThirdFromTheTail() {
        String text = "a".repeat(100) + "b".repeat(100) + "c".repeat(100);

        String shortened = PromptFitter.shorten(text, 30);

        assertThat(shortened).startsWith("a".repeat(20) + "\n[... 270 characters left out")
                .endsWith("...]\n" + "c".repeat(10));
    }

    @Test
    void shortenLeavesShortTextAloneAndMarksTextLeftOutWhole() {
        assertThat(PromptFitter.shorten("abc", 3)).isEqualTo("abc");
        assertThat(PromptFitter.shorten("abc", 0)).isEqualTo(PromptFitter.OMITTED);
        assertThat(PromptFitter.shorten("", 0)).isEmpty();
    }

    @Test
    void shortenNeverSplitsASurrogatePair() {
        String text = "😀".repeat(50);

        String shortened = PromptFitter.shorten(text, 15);

        assertThat(shortened.codePoints().filter(cp -> cp >= 0xD800 && cp <= 0xDFFF).count()).isZero();
        assertThat(shortened).startsWith("😀😀😀😀😀\n[...");
    }
}

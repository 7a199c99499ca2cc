package org.iterpref.common.pair;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CodeFenceTest {

    @Test
    void shouldTakeAllTextAsCodeWithoutAFence() {
        assertThat(CodeFence.extract("x = 1\n")).isEqualTo(new CodeFence.Code("x = 1\n", 0, false));
    }

    @Test
    void shouldFindTheFirstFencedBlockAfterProse() {
        // Python: text.index("x =") == 18 (the emoji is one index)
        CodeFence.Code code = CodeFence.extract("Sure 😀:\n```python\nx = 1\n```\n```\ny = 2\n```\n");

        assertThat(code).isEqualTo(new CodeFence.Code("x = 1\n", 18, true));
    }

    @Test
    void shouldAcceptTildeFencesAndIndentedFences() {
        assertThat(CodeFence.stripFence("~~~python\nx = 1\n~~~\n")).isEqualTo("x = 1\n");
        assertThat(CodeFence.stripFence("   ```\n   x = 1\n   ```\n")).isEqualTo("   x = 1\n");
    }

    @Test
    void shouldNotTakeFourSpacesOrInlineBackticksAsAFence() {
        assertThat(CodeFence.extract("    ```\nx = 1\n").fenced()).isFalse();
        assertThat(CodeFence.extract("```x``` is code\nx = 1\n").fenced()).isFalse();
    }

    @Test
    void shouldCloseOnlyOnAFenceAtLeastAsLongAsTheOpening() {
        assertThat(CodeFence.stripFence("````\ncode\n```\nmore\n````  \nafter\n")).isEqualTo("code\n```\nmore\n");
        assertThat(CodeFence.stripFence("```\ncode\n~~~\n```")).isEqualTo("code\n~~~\n");
    }

    @Test
    void shouldRunAnUnclosedFenceToTheEnd() {
        assertThat(CodeFence.extract("```python\nx = 1\ny = 2")).isEqualTo(new CodeFence.Code("x = 1\ny = 2", 10, true));
        assertThat(CodeFence.extract("```python")).isEqualTo(new CodeFence.Code("", 9, true));
    }

    @Test
    void shouldKeepCrlfInsideTheCode() {
        assertThat(CodeFence.extract("```python\r\nx = 1\r\n```\r\n"))
                .isEqualTo(new CodeFence.Code("x = 1\r\n", 11, true));
    }
}

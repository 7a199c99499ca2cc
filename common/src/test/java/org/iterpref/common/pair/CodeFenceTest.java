package org.iterpref.common.pair;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CodeFenceTest {

    @Test
    void shouldTakeAllTextAsCodeWithoutAFence() {
        assertThat(CodeFence.extract("x = 1\n")).isEqualTo(new CodeFence.Code("x = 1\n", 0, false));
    }

    @Test
    void shouldFindThePythonBlockAfterProseBeforeALaterUntaggedOne() {
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
    void shouldNotTakeInlineBackticksOrProseMentioningAFenceAsAFence() {
        assertThat(CodeFence.extract("```x``` is code\nx = 1\n").fenced()).isFalse();
        assertThat(CodeFence.extract("I answer in one ```python block.\nx = 1\n").fenced()).isFalse();
    }

    @Test
    void shouldTakeAFenceIndentedInAListItem() {
        assertThat(CodeFence.extract("1. Code:\n    ```python\n    x = 1\n    ```\n"))
                .isEqualTo(new CodeFence.Code("    x = 1\n", 23, true));
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

    // the rule for model replies: CodeFence.code gives the chosen block ready to run

    @Test
    void shouldTakeTheLastNonBlankPythonBlock() {
        String reply = "First try:\n```python\ndef f():\n    return 1\n```\nBetter:\n```py\ndef f():\n    return 2\n```\n"
                + "Empty one:\n```python\n\n```\n";

        assertThat(CodeFence.code(reply)).isEqualTo("def f():\n    return 2");
    }

    @Test
    void shouldPreferPythonToALaterUntaggedBlockOfExampleOutput() {
        String reply = "```python\ndef f():\n    return 1\n```\nExample:\n```\n>>> f()\n1\n```\n";

        assertThat(CodeFence.code(reply)).isEqualTo("def f():\n    return 1");
    }

    @Test
    void shouldPreferAnUntaggedBlockToOtherLanguages() {
        String reply = "```\nx = 1\n```\nRun it with:\n```bash\npython main.py\n```\n";

        assertThat(CodeFence.code(reply)).isEqualTo("x = 1");
    }

    @Test
    void shouldFallBackToTheLastBlockInAnyLanguageThenToTheWholeReply() {
        assertThat(CodeFence.code("```text\nprint('hi')\n```\n```json\n{}\n```")).isEqualTo("{}");
        assertThat(CodeFence.code("\n\n  def h():\n      return 4\n\n")).isEqualTo("def h():\n      return 4");
        assertThat(CodeFence.code("```python\n\n```")).isEmpty();
    }

    @Test
    void shouldNormaliseLineEndingsAndToleratesTrailingSpacesOnFences() {
        String reply = "Answer:\r\n```python   \r\ndef g():\r\n    return 3\r\n```   \r\nDone.\r\n";

        assertThat(CodeFence.code(reply)).isEqualTo("def g():\n    return 3");
    }

    @Test
    void shouldRunAnUnterminatedFinalFenceToTheEndAndKeepInnerFencesOfALongerOne() {
        assertThat(CodeFence.code("```python\ndef k():\n    return 5\n")).isEqualTo("def k():\n    return 5");
        assertThat(CodeFence.code("````python\ns = '''\n```\n'''\n````")).isEqualTo("s = '''\n```\n'''");
    }

    @Test
    void shouldSkipReasoning() {
        assertThat(CodeFence.code("<think>\nMaybe:\n```python\nwrong = True\n```\n</think>\n```python\nright = True\n```"))
                .isEqualTo("right = True");
        assertThat(CodeFence.code("Let me think.\n```python\nwrong = 1\n```\n</think>\n\nfinal = 2")).isEqualTo("final = 2");
        assertThat(CodeFence.code("<THINK>\nstill thinking when max_tokens ran out")).isEmpty();
        assertThat(CodeFence.code(null)).isEmpty();
    }

    @Test
    void shouldKeepOffsetsIntoTheReplyPastReasoning() {
        String reply = "<think>😀 ```python\nno = 0\n```</think>\n```python\nyes = 1\n```\n";

        CodeFence.Code code = CodeFence.extract(reply);

        // Python: reply.index("yes") == 48 (the emoji is one index)
        assertThat(code).isEqualTo(new CodeFence.Code("yes = 1\n", 48, true));
        assertThat(CodeFence.extract("<think>x</think>\nz = 3\n")).isEqualTo(new CodeFence.Code("\nz = 3\n", 16, false));
    }

    @Test
    void shouldRemoveTheOpeningFencesIndentationAndAcceptALanguageWithAttributes() {
        assertThat(CodeFence.code("1. Code:\n\n   ```python\n   def m():\n       return 6\n   ```\n"))
                .isEqualTo("def m():\n    return 6");
        assertThat(CodeFence.code("```Python title=\"sol.py\"\nv = 7\n```")).isEqualTo("v = 7");
    }
}

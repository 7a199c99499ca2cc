package org.iterpref.generator.source.openai;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CodeExtractorTest {

    private final CodeExtractor extractor = new CodeExtractor();

    @Test
    void takesThePythonFencedBlock() {
        String reply = "Here is the solution:\n\n```python\ndef add(a, b):\n    return a + b\n```\n\nIt adds.";

        assertThat(extractor.extract(reply)).isEqualTo("def add(a, b):\n    return a + b");
    }

    @Test
    void takesTheLastNonEmptyPythonBlock() {
        String reply = "First try:\n```python\ndef f():\n    return 1\n```\nBetter:\n```py\ndef f():\n    return 2\n```\n"
                + "Empty one:\n```python\n\n```\n";

        assertThat(extractor.extract(reply)).isEqualTo("def f():\n    return 2");
    }

    @Test
    void prefersPythonOverOtherLanguagesAndAcceptsBareFences() {
        String reply = "```\nx = 1\n```\nRun it with:\n```bash\npython main.py\n```\n";

        assertThat(extractor.extract(reply)).isEqualTo("x = 1");
    }

    @Test
    void fallsBackToAnyLanguageWhenNoPythonBlock() {
        assertThat(extractor.extract("```text\nprint('hi')\n```")).isEqualTo("print('hi')");
    }

    @Test
    void toleratesTrailingSpacesOnFencesAndCrlf() {
        String reply = "Answer:\r\n```python   \r\ndef g():\r\n    return 3\r\n```   \r\nDone.\r\n";

        assertThat(extractor.extract(reply)).isEqualTo("def g():\n    return 3");
    }

    @Test
    void noFencesMeansTheWholeReplyStripped() {
        assertThat(extractor.extract("\n\n  def h():\n      return 4\n\n")).isEqualTo("def h():\n      return 4");
    }

    @Test
    void unterminatedFinalFenceRunsToTheEnd() {
        String reply = "```python\ndef k():\n    return 5\n";

        assertThat(extractor.extract(reply)).isEqualTo("def k():\n    return 5");
    }

    @Test
    void dropsThinkBlocksBeforeLookingForCode() {
        String reply = "<think>\nMaybe:\n```python\nwrong = True\n```\n</think>\n```python\nright = True\n```";

        assertThat(extractor.extract(reply)).isEqualTo("right = True");
    }

    @Test
    void dropsReasoningBeforeAnOrphanClosingTag() {
        String reply = "Let me think about it.\n```python\nwrong = 1\n```\n</think>\n\nfinal = 2";

        assertThat(extractor.extract(reply)).isEqualTo("final = 2");
    }

    @Test
    void replyThatIsOnlyUnclosedReasoningGivesNoCode() {
        assertThat(extractor.extract("<think>\nstill thinking when max_tokens ran out")).isEmpty();
        assertThat(extractor.extract(null)).isEmpty();
    }

    @Test
    void keepsInnerTripleBackticksOfALongerFence() {
        String reply = "````python\ns = '''\n```\n'''\n````";

        assertThat(extractor.extract(reply)).isEqualTo("s = '''\n```\n'''");
    }

    @Test
    void removesTheIndentationOfAnIndentedFence() {
        String reply = "1. Code:\n\n   ```python\n   def m():\n       return 6\n   ```\n";

        assertThat(extractor.extract(reply)).isEqualTo("def m():\n    return 6");
    }

    @Test
    void ignoresBackticksInsideProseLines() {
        String reply = "I will return it in one ```python block as asked.\n```python\nok = 1\n```";

        assertThat(extractor.extract(reply)).isEqualTo("ok = 1");
    }

    @Test
    void languageTagIsCaseInsensitiveAndMayCarryAttributes() {
        assertThat(extractor.extract("```Python title=\"sol.py\"\nv = 7\n```")).isEqualTo("v = 7");
    }
}

package org.iterpref.common.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ErrorRegionFinderTest {

    private final ErrorRegionFinder finder = new ErrorRegionFinder();

    @Test
    void shouldFindNothingInEmptyRejectedCode() {
        ErrorRegion region = finder.find("", "def f():\n    pass\n");

        assertThat(region.isEmpty()).isTrue();
        assertThat(region.totalLines()).isZero();
        assertThat(region.lineShare()).isZero();
        assertThat(finder.find("", "").isEmpty()).isTrue();
    }

    @Test
    void shouldFindNothingInIdenticalCode() {
        String code = "def f(x):\n    return x\n";

        ErrorRegion region = finder.find(code, code);

        assertThat(region).isEqualTo(ErrorRegion.none(2));
    }

    @Test
    void shouldCoverTheWholeRejectedTextWhenEverythingIsDeleted() {
        ErrorRegion region = finder.find("a = 1\nb = 2\n", "");

        assertThat(region).isEqualTo(new ErrorRegion(List.of(new CharSpan(0, 12)), 2, 2));
    }

    @Test
    void shouldCoverAWholeProgramRewriteWithOneSpan() {
        String rejected = "def add(a, b):\n    total = a - b\n    return total\n";

        ErrorRegion region = finder.find(rejected, "import operator\n\nadd = operator.add\n");

        assertThat(region.spans()).containsExactly(new CharSpan(0, 50));
        assertThat(region.lineShare()).isEqualTo(1.0);
        assertThat(region.coveredCodePoints()).isEqualTo(rejected.length());
    }

    @Test
    void shouldKeepSeparateHunksAsSeparateSortedSpans() {
        ErrorRegion region = finder.find("a\nb\nc\nd\ne\n", "a\nB\nc\nD\ne\n");

        assertThat(region.spans()).containsExactly(new CharSpan(2, 4), new CharSpan(6, 8));
        assertThat(region.changedLines()).isEqualTo(2);
    }

    @Test
    void shouldMergeAnInsertionAnchorThatTouchesAChangedLine() {
        // b changes, and x is inserted after c: lines b and c touch, so one span
        ErrorRegion region = finder.find("a\nb\nc\nd\n", "a\nB\nc\nx\nd\n");

        assertThat(region.spans()).containsExactly(new CharSpan(2, 6));
        assertThat(region.changedLines()).isEqualTo(2);
    }

    @Test
    void shouldCoverDeletedLines() {
        ErrorRegion region = finder.find("a\nprint(a)\nb\n", "a\nb\n");

        assertThat(region.spans()).containsExactly(new CharSpan(2, 11));
    }

    @Test
    void shouldPointAtTheFirstLineWhenTheFixInsertsAtTheTop() {
        ErrorRegion region = finder.find("b\nc\n", "import a\nb\nc\n");

        assertThat(region.spans()).containsExactly(new CharSpan(0, 2));
    }

    @Test
    void shouldPointAtTheLastLineWhenTheFixAppends() {
        ErrorRegion region = finder.find("a\nb\n", "a\nb\nc\n");

        assertThat(region.spans()).containsExactly(new CharSpan(2, 4));
    }

    @Test
    void shouldIncludeTheCarriageReturnOfCrlfLines() {
        String rejected = "a = 1\r\nb = 2\r\nc = 3\r\n";

        ErrorRegion region = finder.find(rejected, "a = 1\nb = 20\nc = 3\n");

        assertThat(region.spans()).containsExactly(new CharSpan(7, 14));
        assertThat(region.spans().get(0).slice(rejected)).isEqualTo("b = 2\r\n");
    }

    @Test
    void shouldNotCountLineEndingsAsChanges() {
        ErrorRegion region = finder.find("a = 1\r\nb = 2\r\n", "a = 1\nb = 2\n");

        assertThat(region).isEqualTo(ErrorRegion.none(2));
    }

    @Test
    void shouldTreatALoneCarriageReturnAsContent() {
        ErrorRegion region = finder.find("a = 1\rb = 2\n", "a = 1\nb = 2\n");

        assertThat(region.spans()).containsExactly(new CharSpan(0, 12));
        assertThat(region.totalLines()).isEqualTo(1);
    }

    @Test
    void shouldEndALastLineWithoutNewlineAtTheEndOfTheText() {
        ErrorRegion changed = finder.find("x = 1\ny = 2", "x = 1\ny = 3");
        ErrorRegion appended = finder.find("x = 1\ny = 2", "x = 1\ny = 2\nprint(y)\n");

        assertThat(changed.spans()).containsExactly(new CharSpan(6, 11));
        assertThat(appended.spans()).containsExactly(new CharSpan(6, 11));
    }

    @Test
    void shouldNotCountAMissingFinalNewlineAsAChange() {
        assertThat(finder.find("x = 1\ny = 2", "x = 1\ny = 2\n").isEmpty()).isTrue();
    }

    @Test
    void shouldCountTrailingWhitespaceAsAChange() {
        assertThat(finder.find("x = 1 \ny = 2\n", "x = 1\ny = 2\n").spans())
                .containsExactly(new CharSpan(0, 7));
    }

    @Test
    void shouldCountCodePointsAfterCjkAndEmoji() {
        String rejected = "# 计算 🎉 total\ndef total(xs):\n    return sum(xs) - 1\n";

        ErrorRegion region = finder.find(rejected, "# 计算 🎉 total\ndef total(xs):\n    return sum(xs)\n");

        // Python: rejected[28:51] == '    return sum(xs) - 1\n' (the emoji is one index there)
        CharSpan span = new CharSpan(28, 51);
        assertThat(region.spans()).containsExactly(span);
        assertThat(codePointSlice(rejected, span)).isEqualTo("    return sum(xs) - 1\n");
        assertThat(span.toUtf16(rejected)).isEqualTo(new CharSpan.Utf16Range(29, 52));
    }

    @Test
    void shouldCountAnEmojiInsideAChangedLineAsOneCodePoint() {
        String rejected = "s = '😀'\nt = '😀😀'\nu = 1\nv = 2\n";

        ErrorRegion region = finder.find(rejected, "s = '😀'\nt = '😀'\nu = 1\nv = 3\n");

        // Python: rejected[8:17] == "t = '😀😀'\n", rejected[23:29] == 'v = 2\n'
        assertThat(region.spans()).containsExactly(new CharSpan(8, 17), new CharSpan(23, 29));
        assertThat(region.spans()).extracting(span -> codePointSlice(rejected, span))
                .containsExactly("t = '😀😀'\n", "v = 2\n");
    }

    @Test
    void shouldShiftSpansToTheRejectedCompletionWhenTheCodeIsFenced() {
        String rejected = "Here is my solution 🙂:\n```python\ndef f(n):\n    return n - 1\n```\n";

        ErrorRegion region = finder.findInCompletion(rejected, "```python\ndef f(n):\n    return n + 1\n```");

        // Python: rejected[43:60] == '    return n - 1\n'
        assertThat(region.spans()).containsExactly(new CharSpan(43, 60));
        assertThat(codePointSlice(rejected, region.spans().get(0))).isEqualTo("    return n - 1\n");
        assertThat(region.totalLines()).isEqualTo(2);
    }

    @Test
    void shouldCompareFencedWithUnfencedCode() {
        String fenced = "```python\ndef f(n):\n    return n - 1\n```\n";
        String plain = "def f(n):\n    return n - 1\n";

        assertThat(finder.findInCompletion(fenced, "def f(n):\n    return n + 1\n").spans())
                .containsExactly(new CharSpan(20, 37));
        assertThat(finder.findInCompletion(plain, "```python\ndef f(n):\n    return n + 1\n```").spans())
                .containsExactly(new CharSpan(10, 27));
    }

    @Test
    void shouldIgnoreProseAndFenceLinesOfCompletions() {
        ErrorRegion region = finder.findInCompletion("```py\nx = 1\n```\nDone.\n",
                "Fixed it:\n```python\nx = 1\n```");

        assertThat(region.isEmpty()).isTrue();
    }

    private static String codePointSlice(String text, CharSpan span) {
        int[] codePoints = text.codePoints().skip(span.start()).limit(span.length()).toArray();
        return new String(codePoints, 0, codePoints.length);
    }
}

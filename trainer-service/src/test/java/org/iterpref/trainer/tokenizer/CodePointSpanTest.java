package org.iterpref.trainer.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.iterpref.common.pair.CharSpan;
import org.junit.jupiter.api.Test;

/** Code-point spans and their conversion to Java (UTF-16) indices. */
class CodePointSpanTest {

    private static final String TEXT = "a🚀b𠮷c";  // code points a 🚀 b 𠮷 c; UTF-16 a ?? b ?? c

    @Test
    void slicesByCodePoints() {
        assertThat(new CodePointSpan(2, 3).slice(TEXT)).isEqualTo("b");
        assertThat(new CodePointSpan(1, 2).slice(TEXT)).isEqualTo("🚀");
        assertThat(new CodePointSpan(4, 5).slice(TEXT)).isEqualTo("c");
        assertThat(new CodePointSpan(5, 5).slice(TEXT)).isEmpty();
        assertThatThrownBy(() -> new CodePointSpan(4, 6).slice(TEXT)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void indexConvertsBothWays() {
        CodePointIndex index = CodePointIndex.of(TEXT);
        assertThat(index.codePointLength()).isEqualTo(5);
        assertThat(new int[] {index.toUtf16(0), index.toUtf16(1), index.toUtf16(2), index.toUtf16(3),
            index.toUtf16(4), index.toUtf16(5)}).containsExactly(0, 1, 3, 4, 6, 7);
        for (int cp = 0; cp <= 5; cp++) {
            assertThat(index.toCodePoint(index.toUtf16(cp))).isEqualTo(cp);
        }
        assertThat(index.toCodePoint(2)).isEqualTo(TEXT.codePointCount(0, 2)); // inside the emoji's pair
        assertThat(index.slice(new CodePointSpan(3, 5))).isEqualTo("𠮷c");
        assertThatThrownBy(() -> index.toUtf16(6)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void indexOfBmpTextIsIdentity() {
        CodePointIndex index = CodePointIndex.of("你好, world");
        assertThat(index.toUtf16(3)).isEqualTo(3);
        assertThat(index.toCodePoint(9)).isEqualTo(9);
    }

    @Test
    void validatesAndBridgesToCharSpan() {
        assertThatThrownBy(() -> new CodePointSpan(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CodePointSpan(3, 2)).isInstanceOf(IllegalArgumentException.class);
        CodePointSpan token = new CodePointSpan(2, 4);
        assertThat(token.toCharSpan()).isEqualTo(new CharSpan(2, 4));
        assertThat(token.overlaps(new CharSpan(3, 10))).isTrue();
        assertThat(token.overlaps(new CharSpan(4, 10))).isFalse();
        assertThat(CodePointSpan.EMPTY.overlaps(new CharSpan(0, 10))).isFalse();
        assertThatThrownBy(CodePointSpan.EMPTY::toCharSpan).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void encodingIsAValue() {
        Encoding a = new Encoding(new long[] {1, 2}, List.of(new CodePointSpan(0, 1), new CodePointSpan(1, 2)));
        Encoding b = new Encoding(new long[] {1, 2}, List.of(new CodePointSpan(0, 1), new CodePointSpan(1, 2)));
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        long[] ids = a.ids();
        ids[0] = 99;
        assertThat(a.id(0)).isEqualTo(1);
        assertThatThrownBy(() -> new Encoding(new long[] {1}, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

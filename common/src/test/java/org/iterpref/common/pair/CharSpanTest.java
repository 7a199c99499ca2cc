package org.iterpref.common.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CharSpanTest {

    private static final String TEXT = "a🎉b\nc"; // code points: a 🎉 b \n c; UTF-16: a, 2 units, b, \n, c

    @Test
    void shouldConvertCodePointsToUtf16AfterAnEmoji() {
        assertThat(new CharSpan(2, 4).toUtf16(TEXT)).isEqualTo(new CharSpan.Utf16Range(3, 5));
        assertThat(new CharSpan(1, 2).slice(TEXT)).isEqualTo("🎉");
        assertThat(new CharSpan(2, 5).slice(TEXT)).isEqualTo("b\nc");
    }

    @Test
    void shouldConvertUtf16ToCodePoints() {
        assertThat(CharSpan.fromUtf16(TEXT, 3, 5)).isEqualTo(new CharSpan(2, 4));
        assertThat(CharSpan.fromUtf16(TEXT, 1, 3)).isEqualTo(new CharSpan(1, 2));
    }

    @Test
    void shouldRoundTripEveryRange() {
        List<CharSpan> spans = new ArrayList<>();
        for (int start = 0; start < 5; start++) {
            for (int end = start + 1; end <= 5; end++) {
                spans.add(new CharSpan(start, end));
            }
        }
        for (CharSpan span : spans) {
            CharSpan.Utf16Range range = span.toUtf16(TEXT);
            assertThat(CharSpan.fromUtf16(TEXT, range.start(), range.end())).isEqualTo(span);
        }
    }

    @Test
    void shouldRejectInvalidSpans() {
        assertThatIllegalArgumentException().isThrownBy(() -> new CharSpan(3, 3));
        assertThatIllegalArgumentException().isThrownBy(() -> new CharSpan(-1, 2));
        assertThatIllegalArgumentException().isThrownBy(() -> new CharSpan(4, 6).toUtf16(TEXT));
        assertThatIllegalArgumentException().isThrownBy(() -> CharSpan.fromUtf16(TEXT, 2, 4));
        assertThatIllegalArgumentException().isThrownBy(() -> CharSpan.fromUtf16(TEXT, 0, 7));
    }

    @Test
    void shouldMeasureShiftAndOverlap() {
        CharSpan span = new CharSpan(4, 9);

        assertThat(span.length()).isEqualTo(5);
        assertThat(span.shift(10)).isEqualTo(new CharSpan(14, 19));
        assertThat(span.overlaps(8, 12)).isTrue();
        assertThat(span.overlaps(0, 5)).isTrue();
        assertThat(span.overlaps(9, 12)).isFalse();
        assertThat(span.overlaps(0, 4)).isFalse();
    }
}

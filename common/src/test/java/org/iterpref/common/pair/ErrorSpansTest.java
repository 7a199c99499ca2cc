package org.iterpref.common.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ErrorSpansTest {

    private static final String CHOSEN = "```python\ndef f(x):\n    return x + 1\n```\n";
    private static final String REJECTED = "```python\ndef f(x):\n    return x - 1\n```\n";

    @Test
    void absentSpansAreComputedRelativeToTheFencedCompletion() {
        ErrorRegion region = ErrorSpans.of(ErrorSpans.fromJson(null), REJECTED, CHOSEN);

        assertThat(region.spans()).hasSize(1);
        assertThat(region.spans().get(0).slice(REJECTED)).isEqualTo("    return x - 1\n");
    }

    @Test
    void givenSpansAreKeptAsGivenInCodePoints() {
        String rejected = "😀 = 1\nx = 2\n";
        ErrorRegion region = ErrorSpans.of(ErrorSpans.fromJson(List.of(List.of(6, 12))), rejected, "x = 3\n");

        assertThat(region.spans()).containsExactly(new CharSpan(6, 12));
        assertThat(region.spans().get(0).slice(rejected)).isEqualTo("x = 2\n");
        assertThat(region.changedLines()).isEqualTo(1);
    }

    @Test
    void spansOutOfRangeUnsortedOrOverlappingAreRefusedByName() {
        assertThatThrownBy(() -> ErrorSpans.of(List.of(new long[] {0, 99}), "ab\n", "a\n"))
                .hasMessageContaining("error_spans");
        assertThatThrownBy(() -> ErrorSpans.of(List.of(new long[] {2, 3}, new long[] {0, 1}), "abc\n", "a\n"))
                .hasMessageContaining("sorted");
        assertThatThrownBy(() -> ErrorSpans.of(List.of(new long[] {0, 2}, new long[] {1, 3}), "abc\n", "a\n"))
                .hasMessageContaining("non-overlapping");
        assertThatThrownBy(() -> ErrorSpans.of(List.of(new long[] {-1, 1}), "abc\n", "a\n"))
                .hasMessageContaining("error_spans");
    }

    @Test
    void onlyListsOfIntegerPairsAreSpans() {
        assertThatThrownBy(() -> ErrorSpans.fromJson("0-3")).hasMessageContaining("error_spans");
        assertThatThrownBy(() -> ErrorSpans.fromJson(List.of(List.of(0, 1, 2)))).hasMessageContaining("[start, end]");
        assertThatThrownBy(() -> ErrorSpans.fromJson(List.of(List.of(0.5, 2)))).hasMessageContaining("integers");
        assertThatThrownBy(() -> ErrorSpans.fromJson(List.of(List.of(0L, 1L << 40))))
                .hasMessageContaining("integers");
        assertThat(ErrorSpans.fromJson(List.of(List.of(1, 2L)))).singleElement()
                .satisfies(span -> assertThat(span).containsExactly(1, 2));
    }
}

package org.iterpref.common.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import org.junit.jupiter.api.Test;

class ErrorRegionTest {

    @Test
    void shouldReportShareOfLinesAndCoveredCodePoints() {
        ErrorRegion region = new ErrorRegion(List.of(new CharSpan(0, 10), new CharSpan(20, 25)), 2, 8);

        assertThat(region.isEmpty()).isFalse();
        assertThat(region.lineShare()).isEqualTo(0.25);
        assertThat(region.coveredCodePoints()).isEqualTo(15);
        assertThat(region.shift(3).spans()).containsExactly(new CharSpan(3, 13), new CharSpan(23, 28));
    }

    @Test
    void shouldRejectUnsortedOrOverlappingSpansAndImpossibleLineCounts() {
        assertThatIllegalArgumentException().isThrownBy(
                () -> new ErrorRegion(List.of(new CharSpan(5, 10), new CharSpan(0, 3)), 2, 4));
        assertThatIllegalArgumentException().isThrownBy(
                () -> new ErrorRegion(List.of(new CharSpan(0, 10), new CharSpan(9, 12)), 2, 4));
        assertThatIllegalArgumentException().isThrownBy(() -> new ErrorRegion(List.of(), 3, 2));
    }

    @Test
    void shouldBeEmptyWithoutSpans() {
        assertThat(ErrorRegion.none(0).isEmpty()).isTrue();
        assertThat(ErrorRegion.none(0).lineShare()).isZero();
    }
}

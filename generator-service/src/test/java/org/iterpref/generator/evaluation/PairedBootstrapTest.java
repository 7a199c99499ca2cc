package org.iterpref.generator.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PairedBootstrapTest {

    @Test
    void theIntervalCoversTheMeanDeltaAndNarrowsWithMoreTasks() {
        Random random = new Random(3);
        double[] few = new double[20];
        double[] many = new double[2_000];
        for (int i = 0; i < many.length; i++) {
            double d = random.nextDouble() < 0.6 ? 1.0 : (random.nextDouble() < 0.5 ? -1.0 : 0.0);
            many[i] = d;
            if (i < few.length) {
                few[i] = d;
            }
        }
        double mean = Arrays.stream(many).average().orElseThrow();
        PairedBootstrap.Interval wide = PairedBootstrap.interval(few, 0.95, 10_000, 1);
        PairedBootstrap.Interval narrow = PairedBootstrap.interval(many, 0.95, 10_000, 1);
        assertThat(narrow.low()).isLessThan(mean);
        assertThat(narrow.high()).isGreaterThan(mean);
        assertThat(narrow.high() - narrow.low()).isLessThan(wide.high() - wide.low());
        // the normal approximation's half-width for the mean of many deltas, as an independent check
        double sd = Math.sqrt(Arrays.stream(many).map(d -> (d - mean) * (d - mean)).sum() / (many.length - 1));
        assertThat((narrow.high() - narrow.low()) / 2).isCloseTo(1.96 * sd / Math.sqrt(many.length), within(0.01));
    }

    @Test
    void theSameComparisonGivesTheSameInterval() {
        double[] d = {1, 0, 0, -1, 1, 1, 0};
        assertThat(PairedBootstrap.interval(d, 0.95, 2_000, 7)).isEqualTo(PairedBootstrap.interval(d, 0.95, 2_000, 7));
    }

    @Test
    void largeTaskSetsGetFewerResamplesSoACompareStaysCheap() {
        assertThat(EvaluationComparator.resamples(44)).isEqualTo(10_000);
        assertThat(EvaluationComparator.resamples(200_000)).isEqualTo(500);
        assertThat((long) EvaluationComparator.resamples(10_000) * 10_000).isLessThanOrEqualTo(EvaluationComparator.MAX_DRAWS);
    }
}

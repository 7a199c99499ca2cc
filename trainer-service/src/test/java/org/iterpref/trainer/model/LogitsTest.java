package org.iterpref.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LogitsTest {

    @Test
    void argmaxTakesTheFirstOfEqualMaxima() {
        assertThat(Logits.argmax(new float[] {1f, 3f, 3f, -1f})).isEqualTo(1);
    }

    @Test
    void logSoftmaxIsNormalisedAndStableForLargeLogits() {
        float[] logits = {1000f, 999f, 0f, -1000f};
        double[] out = Logits.logSoftmax(logits);
        double sum = Arrays.stream(out).map(Math::exp).sum();
        assertThat(sum).isCloseTo(1.0, within(1e-12));
        assertThat(out[0] - out[1]).isCloseTo(1.0, within(1e-9));
        assertThat(Arrays.stream(out).allMatch(Double::isFinite)).isTrue();
    }

    @Test
    void topKMatchesAFullSort() {
        Random random = new Random(3);
        for (int trial = 0; trial < 100; trial++) {
            double[] values = new double[1 + random.nextInt(300)];
            for (int i = 0; i < values.length; i++) {
                values[i] = random.nextInt(20) - 10; // many ties
            }
            int k = random.nextInt(values.length + 3);
            int[] expected = IntStream.range(0, values.length).boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> -values[i]).thenComparingInt(i -> i))
                    .limit(k).mapToInt(Integer::intValue).toArray();
            assertThat(Logits.topK(values, k)).containsExactly(expected);
        }
    }
}

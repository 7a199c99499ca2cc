package org.iterpref.common.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PassAtKTest {

    /** An independent reference: exact binomials in big integers, divided at 40 digits. */
    private static double exact(int n, int c, int k) {
        BigInteger fail = binomial(n - c, k);
        BigInteger all = binomial(n, k);
        BigDecimal ratio = new BigDecimal(fail).divide(new BigDecimal(all), new MathContext(40));
        return BigDecimal.ONE.subtract(ratio).doubleValue();
    }

    private static BigInteger binomial(int n, int k) {
        if (k > n) {
            return BigInteger.ZERO;
        }
        BigInteger r = BigInteger.ONE;
        for (int i = 1; i <= k; i++) {
            r = r.multiply(BigInteger.valueOf(n - k + i)).divide(BigInteger.valueOf(i));
        }
        return r;
    }

    @ParameterizedTest
    @CsvSource({"1,0,1", "1,1,1", "5,0,1", "5,5,5", "5,1,1", "5,2,3", "10,3,1", "10,3,5", "10,3,10",
            "20,7,10", "100,1,1", "100,1,10", "100,50,10", "200,3,100", "1000,1,1", "1000,10,100",
            "1000,999,1", "5000,17,500", "10000,1,10000", "10000,0,100"})
    void matchesExactBinomials(int n, int c, int k) {
        double expected = exact(n, c, k);
        double actual = PassAtK.of(n, c, k);
        assertThat(actual).isCloseTo(expected, within(1e-12));
        if (expected > 0) {  // small values keep their digits too
            assertThat(Math.abs(actual - expected) / expected).isLessThan(1e-10);
        }
    }

    @Test
    void boundaryCasesAreExact() {
        assertThat(PassAtK.of(10, 0, 5)).isZero();
        assertThat(PassAtK.of(10, 10, 1)).isEqualTo(1.0);
        assertThat(PassAtK.of(10, 6, 5)).isEqualTo(1.0);  // n - c < k: any 5 hold a pass
        assertThat(PassAtK.of(10, 3, 1)).isCloseTo(0.3, within(1e-15));  // pass@1 is c/n
        assertThat(PassAtK.of(1_000_000, 1, 1)).isCloseTo(1e-6, within(1e-18));
    }

    @Test
    void noPassingSampleIsPositiveZero() {
        // a negative zero prints as -0.0 in JSON and "-0.0000" in reports
        for (int n = 1; n <= 20; n++) {
            for (int k = 1; k <= n; k++) {
                assertThat(Double.doubleToRawLongBits(PassAtK.of(n, 0, k))).as("n=%d k=%d", n, k)
                        .isEqualTo(Double.doubleToRawLongBits(0.0));
            }
        }
    }

    @Test
    void outOfRangeArgumentsAreRefusedNamingThem() {
        assertThatThrownBy(() -> PassAtK.of(5, 1, 6)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k");
        assertThatThrownBy(() -> PassAtK.of(5, 1, 0)).hasMessageContaining("k");
        assertThatThrownBy(() -> PassAtK.of(5, 6, 1)).hasMessageContaining("c");
        assertThatThrownBy(() -> PassAtK.of(5, -1, 1)).hasMessageContaining("c");
        assertThatThrownBy(() -> PassAtK.of(0, 0, 1)).hasMessageContaining("n");
    }

    @Test
    void meanWeighsEachTaskTheSame() {
        List<PassAtK.Counts> tasks = List.of(new PassAtK.Counts(10, 10), new PassAtK.Counts(10, 0),
                new PassAtK.Counts(4, 1));
        assertThat(PassAtK.mean(tasks, 1)).isCloseTo((1.0 + 0.0 + 0.25) / 3, within(1e-15));
        assertThat(PassAtK.mean(List.of(), 1)).isNaN();
    }
}

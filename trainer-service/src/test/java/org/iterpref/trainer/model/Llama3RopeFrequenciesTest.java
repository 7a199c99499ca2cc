package org.iterpref.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.data.Percentage;
import org.iterpref.trainer.RealConfigs;
import org.iterpref.trainer.checkpoint.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inverse frequencies the decoder rotates by for a Llama-3.1-8B-like config (θ 500000, head_dim
 * 128, llama3 scaling: factor 8, low 1, high 4, original context 8192), against the formula of
 * transformers' {@code _compute_llama3_parameters} written out again here, independently of the
 * model code.
 */
class Llama3RopeFrequenciesTest {

    private static final double THETA = 500_000.0;
    private static final int HEAD_DIM = 128;
    private static final double FACTOR = 8.0;
    private static final double LOW_FREQ_FACTOR = 1.0;
    private static final double HIGH_FREQ_FACTOR = 4.0;
    private static final double ORIGINAL_CONTEXT = 8192.0;

    @TempDir
    Path dir;

    @Test
    void shouldUseTheLlama3FormulasFrequenciesForEveryPair() throws IOException {
        double[] expected = expectedLlama3InverseFrequencies();

        double[] actual = RotaryEmbedding.of(llama31Config()).inverseFrequencies();

        assertThat(actual).hasSize(HEAD_DIM / 2);
        for (int i = 0; i < expected.length; i++) {
            double relativeError = Math.abs(actual[i] - expected[i]) / expected[i];
            assertThat(relativeError).as("inv_freq[%d]: %s vs formula %s", i, actual[i], expected[i])
                    .isLessThanOrEqualTo(1e-12);
        }
    }

    @Test
    void shouldKeepHighFrequenciesDivideLowOnesAndBlendTheBandBetween() throws IOException {
        double[] actual = RotaryEmbedding.of(llama31Config()).inverseFrequencies();

        // wavelength 2π/inv_freq < 8192/4 for i ≤ 28, > 8192/1 for i ≥ 35 (θ^(-2i/128) with θ = 500000)
        for (int i = 0; i <= 28; i++) {
            assertThat(actual[i]).as("high frequency %d unchanged", i).isCloseTo(plain(i), withinRelative(1e-14));
        }
        for (int i = 29; i <= 34; i++) {
            assertThat(actual[i]).as("middle frequency %d blended", i).isGreaterThan(plain(i) / FACTOR)
                    .isLessThan(plain(i));
        }
        for (int i = 35; i < HEAD_DIM / 2; i++) {
            assertThat(actual[i]).as("low frequency %d divided by 8", i).isCloseTo(plain(i) / FACTOR, withinRelative(1e-14));
        }
        assertThat(actual[0]).isEqualTo(1.0);
        assertThat(actual[63]).isCloseTo(2.455140791131609e-06 / 8, withinRelative(1e-12));
    }

    @Test
    void shouldKeepPlainRopeBitIdenticalWithoutScaling() throws IOException {
        Files.writeString(dir.resolve("config.json"), RealConfigs.LLAMA_3_1_8B.replaceAll("(?s)\"rope_scaling\": \\{.*?},",
                "\"rope_scaling\": null,"));

        double[] actual = RotaryEmbedding.of(ModelConfig.read(dir)).inverseFrequencies();

        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as("inv_freq[%d]", i).isEqualTo(Math.pow(THETA, -2.0 * i / HEAD_DIM));
        }
    }

    /** transformers' {@code _compute_llama3_parameters}, one frequency at a time. */
    private static double[] expectedLlama3InverseFrequencies() {
        double lowFreqWavelength = ORIGINAL_CONTEXT / LOW_FREQ_FACTOR;
        double highFreqWavelength = ORIGINAL_CONTEXT / HIGH_FREQ_FACTOR;
        double[] result = new double[HEAD_DIM / 2];
        for (int i = 0; i < result.length; i++) {
            double invFreq = 1.0 / Math.pow(THETA, (double) (2 * i) / HEAD_DIM);
            double wavelength = 2 * Math.PI / invFreq;
            if (wavelength < highFreqWavelength) {
                result[i] = invFreq;
            } else if (wavelength > lowFreqWavelength) {
                result[i] = invFreq / FACTOR;
            } else {
                double smooth = (ORIGINAL_CONTEXT / wavelength - LOW_FREQ_FACTOR) / (HIGH_FREQ_FACTOR - LOW_FREQ_FACTOR);
                result[i] = (1 - smooth) * invFreq / FACTOR + smooth * invFreq;
            }
        }
        return result;
    }

    private static double plain(int i) {
        return 1.0 / Math.pow(THETA, (double) (2 * i) / HEAD_DIM);
    }

    private static Percentage withinRelative(double fraction) {
        return Percentage.withPercentage(fraction * 100);
    }

    private ModelConfig llama31Config() throws IOException {
        Files.writeString(dir.resolve("config.json"), RealConfigs.LLAMA_3_1_8B);
        return ModelConfig.read(dir);
    }
}

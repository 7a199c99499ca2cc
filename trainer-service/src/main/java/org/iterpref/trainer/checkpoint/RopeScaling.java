package org.iterpref.trainer.checkpoint;

/**
 * How a config changes the inverse frequencies of rotary position embeddings: its
 * {@code rope_scaling} (or transformers 5's {@code rope_parameters}). Only the kinds the decoder
 * implements exist here; {@link ModelConfig#read} rejects the others. Neither kind changes the
 * attention scaling (transformers' {@code attention_factor} is 1.0 for both).
 */
public sealed interface RopeScaling permits RopeScaling.None, RopeScaling.Llama3 {

    /** Plain RoPE: {@code rope_scaling} absent, null, or {@code rope_type: "default"}. */
    RopeScaling NONE = new None();

    /** The scaled inverse frequencies for plain RoPE's {@code inverseFrequencies} (a new array; the argument is kept). */
    double[] apply(double[] inverseFrequencies);

    /** The {@code rope_type} name, as in a config. */
    String type();

    /** No scaling. */
    record None() implements RopeScaling {

        @Override
        public double[] apply(double[] inverseFrequencies) {
            return inverseFrequencies.clone();
        }

        @Override
        public String type() {
            return "default";
        }
    }

    /**
     * Llama 3.x ({@code rope_type: "llama3"}), as transformers' {@code _compute_llama3_parameters}:
     * frequencies whose wavelength exceeds {@code original / lowFreqFactor} are divided by
     * {@code factor}, those whose wavelength is below {@code original / highFreqFactor} are kept, and
     * the band between is interpolated linearly in {@code original / wavelength}.
     *
     * @param factor                        {@code factor}
     * @param lowFreqFactor                 {@code low_freq_factor}
     * @param highFreqFactor                {@code high_freq_factor}, greater than the low one
     * @param originalMaxPositionEmbeddings {@code original_max_position_embeddings}
     */
    record Llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositionEmbeddings)
            implements RopeScaling {

        public Llama3 {
            if (!(factor > 0) || !(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor)
                    || originalMaxPositionEmbeddings <= 0) {
                throw new IllegalArgumentException("llama3 rope scaling needs factor > 0, 0 < low_freq_factor"
                        + " < high_freq_factor and original_max_position_embeddings > 0, not factor=" + factor
                        + ", low_freq_factor=" + lowFreqFactor + ", high_freq_factor=" + highFreqFactor
                        + ", original_max_position_embeddings=" + originalMaxPositionEmbeddings);
            }
        }

        @Override
        public double[] apply(double[] inverseFrequencies) {
            double lowFreqWavelength = originalMaxPositionEmbeddings / lowFreqFactor;
            double highFreqWavelength = originalMaxPositionEmbeddings / highFreqFactor;
            double[] scaled = new double[inverseFrequencies.length];
            for (int i = 0; i < scaled.length; i++) {
                double inverse = inverseFrequencies[i];
                double wavelength = 2 * Math.PI / inverse;
                if (wavelength > lowFreqWavelength) {
                    scaled[i] = inverse / factor;
                } else if (wavelength < highFreqWavelength) {
                    scaled[i] = inverse;
                } else {
                    double smooth = (originalMaxPositionEmbeddings / wavelength - lowFreqFactor)
                            / (highFreqFactor - lowFreqFactor);
                    scaled[i] = (1 - smooth) * inverse / factor + smooth * inverse;
                }
            }
            return scaled;
        }

        @Override
        public String type() {
            return "llama3";
        }
    }
}

package org.iterpref.trainer.checkpoint;

import java.util.Optional;

/** The decoder architectures the trainer runs, by their Hugging Face {@code architectures} name. */
public enum Architecture {
    /** Qwen2 / Qwen2.5 (Coder): biases on the q, k and v projections, none elsewhere. */
    QWEN2("Qwen2ForCausalLM", "qwen2", true, 32_768),
    /** Llama 2-style: no biases. */
    LLAMA("LlamaForCausalLM", "llama", false, 2_048);

    private final String hfName;
    private final String modelType;
    private final boolean qkvBias;
    private final int defaultMaxPositionEmbeddings;

    Architecture(String hfName, String modelType, boolean qkvBias, int defaultMaxPositionEmbeddings) {
        this.hfName = hfName;
        this.modelType = modelType;
        this.qkvBias = qkvBias;
        this.defaultMaxPositionEmbeddings = defaultMaxPositionEmbeddings;
    }

    /** The name in {@code config.json}'s {@code architectures} ({@code "Qwen2ForCausalLM"}). */
    public String hfName() {
        return hfName;
    }

    /** The {@code model_type} of its configs ({@code "qwen2"}). */
    public String modelType() {
        return modelType;
    }

    /** {@code max_position_embeddings} when a config omits it, as in Hugging Face's config class. */
    public int defaultMaxPositionEmbeddings() {
        return defaultMaxPositionEmbeddings;
    }

    /** Whether the q, k and v projections carry a bias. */
    public boolean qkvBias() {
        return qkvBias;
    }

    /** The architecture called {@code hfName} in {@code config.json}, if supported. */
    public static Optional<Architecture> fromHfName(String hfName) {
        for (Architecture a : values()) {
            if (a.hfName.equals(hfName)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}

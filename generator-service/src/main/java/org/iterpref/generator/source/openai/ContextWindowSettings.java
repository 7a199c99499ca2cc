package org.iterpref.generator.source.openai;

/**
 * What the operator says about a model server's context, for when the server does not say it.
 *
 * @param contextLength tokens of prompt plus completion; {@code null}: unknown until the server
 *                      reports it (then prompts are sent untrimmed until a context-length error)
 * @param bytesPerToken the fewest UTF-8 bytes of prompt per token to assume before the server has
 *                      reported a prompt's token count; {@code null}: {@link #DEFAULT_BYTES_PER_TOKEN}
 */
public record ContextWindowSettings(Integer contextLength, Double bytesPerToken) {

    /** Byte-level BPE tokenizers (Qwen, Llama 3, GPT) average 3 to 4 bytes a token on code and prose. */
    public static final double DEFAULT_BYTES_PER_TOKEN = 2.0;
    public static final ContextWindowSettings NONE = new ContextWindowSettings(null, null);

    public ContextWindowSettings {
        bytesPerToken = bytesPerToken == null ? DEFAULT_BYTES_PER_TOKEN : bytesPerToken;
        if (contextLength != null && contextLength < 1) {
            throw new IllegalArgumentException("contextLength must be positive");
        }
        if (bytesPerToken <= 0 || bytesPerToken.isNaN() || bytesPerToken.isInfinite()) {
            throw new IllegalArgumentException("bytesPerToken must be positive");
        }
    }
}

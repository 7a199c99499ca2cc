package org.iterpref.generator.source.openai;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Estimates how many tokens a chat request's messages take, without the model's tokenizer, on the
 * safe side: each message's UTF-8 bytes times a tokens-per-byte rate, plus a margin, plus what a
 * chat template adds around each message. The rate starts from the operator's bytes-per-token
 * figure; once the server has counted a prompt ({@code usage.prompt_tokens}, or the count in a
 * context-length error) it is the highest rate the counts showed. Thread-safe.
 */
public class PromptSizeEstimator {

    /** Role markers and separators a chat template puts around one message. */
    static final int TOKENS_PER_MESSAGE = 8;
    /** The generation prompt after the last message (e.g. {@code <|im_start|>assistant}). */
    static final int TOKENS_PER_REQUEST = 8;
    static final double MARGIN = 1.1;

    private double tokensPerByte;
    private boolean counted;

    public PromptSizeEstimator(double bytesPerToken) {
        if (!(bytesPerToken > 0)) {
            throw new IllegalArgumentException("bytesPerToken must be positive");
        }
        this.tokensPerByte = 1.0 / bytesPerToken;
    }

    /** The estimated prompt tokens of {@code messages}, rounded up. */
    public synchronized int estimate(List<ChatMessage> messages) {
        return overhead(messages) + (int) Math.ceil(bytes(messages) * tokensPerByte * MARGIN - 1e-9);
    }

    /**
     * The server counted {@code promptTokens} for {@code messages}: the rate follows the counts (the
     * first count replaces the configured guess, later ones can only raise it).
     */
    public synchronized void observe(List<ChatMessage> messages, int promptTokens) {
        long bytes = bytes(messages);
        if (bytes == 0 || promptTokens <= 0) {
            return;
        }
        // the whole count over the bytes: the template's own tokens are counted twice, on the safe side
        double rate = (double) promptTokens / bytes;
        tokensPerByte = counted ? Math.max(tokensPerByte, rate) : rate;
        counted = true;
    }

    /** The server said a prompt was too long without counting it: assume more tokens per byte. */
    public synchronized void widen(double factor) {
        tokensPerByte *= Math.max(1.0, factor);
    }

    synchronized double tokensPerByte() {
        return tokensPerByte;
    }

    private static int overhead(List<ChatMessage> messages) {
        return TOKENS_PER_REQUEST + TOKENS_PER_MESSAGE * messages.size();
    }

    private static long bytes(List<ChatMessage> messages) {
        long bytes = 0;
        for (ChatMessage message : messages) {
            bytes += message.content().getBytes(StandardCharsets.UTF_8).length;
        }
        return bytes;
    }
}

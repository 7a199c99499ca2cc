package org.iterpref.generator.source.openai;

/**
 * The parts of a chat-completions answer the source uses: the first choice's content (empty when
 * the server sent none), why generation stopped, token counts ({@code null} when the server
 * reported no usage), and the model that answered as the server names it ({@code null} when it did
 * not say; capped at {@value #MAX_MODEL_CHARS} characters).
 */
public record ChatCompletion(
        String content,
        String finishReason,
        Integer promptTokens,
        Integer completionTokens,
        String model) {

    public static final int MAX_MODEL_CHARS = 200;
}

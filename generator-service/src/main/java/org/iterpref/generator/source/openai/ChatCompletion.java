package org.iterpref.generator.source.openai;

/**
 * The parts of a chat-completions answer the source uses: the first choice's content (empty when
 * the server sent none), why generation stopped, and token counts ({@code null} when the server
 * reported no usage).
 */
public record ChatCompletion(
        String content,
        String finishReason,
        Integer promptTokens,
        Integer completionTokens) {
}

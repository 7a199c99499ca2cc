package org.iterpref.generator.source.openai;

/** One message of a chat-completions request ({@code system}, {@code user}). */
public record ChatMessage(String role, String content) {

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }
}

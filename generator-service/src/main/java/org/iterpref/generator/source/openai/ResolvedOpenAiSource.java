package org.iterpref.generator.source.openai;

import java.util.Optional;

/**
 * An {@code openai} source as the operator's rules made it: settings (URL, model, sampling), the
 * key to send (the named server's, an inline one, or none), the prompt templates' text and what the
 * operator says about the model's context.
 *
 * @param server the named model server, or {@code null} for an allow-listed base URL
 * @param window the configured context length and bytes per token ({@link ContextWindowSettings#NONE}
 *               for an allow-listed base URL: only what the server reports counts)
 */
public record ResolvedOpenAiSource(OpenAiSourceSettings settings, Optional<ApiKey> apiKey,
                                   PromptTemplates templates, String server, ContextWindowSettings window) {

    @Override
    public String toString() {
        return "ResolvedOpenAiSource[" + settings.chatCompletionsUri() + ", model=" + settings.model() + "]";
    }
}

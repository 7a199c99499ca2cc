package org.iterpref.generator.source.openai;

import java.util.Optional;

/**
 * An {@code openai} source as the operator's rules made it: settings (URL, model, sampling), the
 * key to send (the named server's, an inline one, or none) and the prompt templates' text.
 *
 * @param server the named model server, or {@code null} for an allow-listed base URL
 */
public record ResolvedOpenAiSource(OpenAiSourceSettings settings, Optional<ApiKey> apiKey,
                                   PromptTemplates templates, String server) {

    @Override
    public String toString() {
        return "ResolvedOpenAiSource[" + settings.chatCompletionsUri() + ", model=" + settings.model() + "]";
    }
}

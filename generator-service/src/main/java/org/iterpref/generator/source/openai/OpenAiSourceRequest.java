package org.iterpref.generator.source.openai;

/**
 * What a run may ask of an {@code openai} source ({@code "source": {"type": "openai", ...}}). Where
 * requests go and with which key is the operator's choice: a run names a configured server, or
 * gives a {@code baseUrl} the operator's allow-list permits with an inline {@code apiKey}. There is
 * no way to name an environment variable or a file: the service would read the operator's secrets
 * and send them to a host the caller picked.
 *
 * @param server               name of a model server in {@code iterpref.generator.model-servers}
 * @param baseUrl              instead of {@code server}: an allow-listed API root
 * @param apiKey               with {@code baseUrl} only: the key to send, held in memory for the run
 *                             and never stored, logged or echoed ({@link #toString()} hides it)
 * @param firstPrompt          inline first-attempt template text
 * @param refinePrompt         inline refinement template text
 * @param firstPromptTemplate  name of a template in the operator's directory or a bundled one
 *                             ({@code first-attempt}, {@code refine}); never a path
 * @param refinePromptTemplate the same for refinements
 */
public record OpenAiSourceRequest(
        String server,
        String baseUrl,
        String apiKey,
        String model,
        Double temperature,
        Double topP,
        Integer maxTokens,
        Integer timeoutMs,
        Integer maxRetries,
        String firstPrompt,
        String refinePrompt,
        String firstPromptTemplate,
        String refinePromptTemplate,
        String systemPrompt) {

    @Override
    public String toString() {
        return "OpenAiSourceRequest[server=" + server + ", baseUrl=" + baseUrl + ", apiKey="
                + (apiKey == null ? "none" : "[redacted]") + ", model=" + model + "]";
    }
}

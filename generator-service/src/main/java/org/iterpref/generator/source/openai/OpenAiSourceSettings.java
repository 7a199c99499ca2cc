package org.iterpref.generator.source.openai;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * How to reach and prompt an OpenAI-compatible {@code /v1/chat/completions} server (vLLM, Ollama,
 * OpenAI, the trainer-service). Optional numbers left {@code null} take their defaults; blank
 * optional strings count as not set. Call {@link #validate()} before use.
 *
 * <p>These are the resolved settings, built by {@link OpenAiSourceResolver} from a run's
 * {@link OpenAiSourceRequest} and the operator's configuration: {@code apiKeyEnv} and
 * {@code apiKeyFile} come only from an operator-configured model server, and the template paths
 * only from code (runs give template text or names, never paths).
 *
 * @param baseUrl              the server's API root. {@code http://127.0.0.1:8000/v1} and
 *                             {@code http://127.0.0.1:8000} are the same server: a URL with no path
 *                             gets {@code /v1} appended; a URL with a path (e.g.
 *                             {@code https://host/v1} or {@code https://host/api/openai}) is used
 *                             as given. Requests go to {@code {root}/chat/completions}.
 * @param model                the model id the server knows (e.g. {@code Qwen/Qwen2.5-Coder-7B-Instruct})
 * @param apiKeyEnv            name of an environment variable holding the API key; {@code null}
 *                             and no {@code apiKeyFile}: no {@code Authorization} header is sent
 * @param apiKeyFile           path of a file holding the API key (e.g. a mounted Kubernetes
 *                             secret); wins over {@code apiKeyEnv} when both are set
 * @param temperature          sampling temperature, 0 to 2 (default 0.2)
 * @param topP                 nucleus sampling, in (0, 1]; {@code null}: not sent (server default)
 * @param maxTokens            completion token limit, 1 to 32768 (default 1024)
 * @param timeoutMs            per-request timeout, from sending to the answer's headers (default 60000)
 * @param maxRetries           retries after the first request on connection errors, timeouts,
 *                             408, 429 and 5xx, 0 to 10 (default 3)
 * @param firstPromptTemplate  path of the first-attempt template file; {@code null}: the bundled
 *                             {@code prompts/first-attempt.txt}
 * @param refinePromptTemplate path of the refinement template file; {@code null}: the bundled
 *                             {@code prompts/refine.txt}
 * @param systemPrompt         sent as a {@code system} message before the user message when set
 */
public record OpenAiSourceSettings(
        String baseUrl,
        String model,
        String apiKeyEnv,
        String apiKeyFile,
        Double temperature,
        Double topP,
        Integer maxTokens,
        Integer timeoutMs,
        Integer maxRetries,
        String firstPromptTemplate,
        String refinePromptTemplate,
        String systemPrompt) {

    public static final double DEFAULT_TEMPERATURE = 0.2;
    public static final int DEFAULT_MAX_TOKENS = 1024;
    public static final int DEFAULT_TIMEOUT_MS = 60_000;
    public static final int DEFAULT_MAX_RETRIES = 3;

    public OpenAiSourceSettings {
        baseUrl = baseUrl == null ? null : baseUrl.strip();
        model = model == null ? null : model.strip();
        apiKeyEnv = blankToNull(apiKeyEnv);
        apiKeyFile = blankToNull(apiKeyFile);
        temperature = temperature == null ? DEFAULT_TEMPERATURE : temperature;
        maxTokens = maxTokens == null ? DEFAULT_MAX_TOKENS : maxTokens;
        timeoutMs = timeoutMs == null ? DEFAULT_TIMEOUT_MS : timeoutMs;
        maxRetries = maxRetries == null ? DEFAULT_MAX_RETRIES : maxRetries;
        firstPromptTemplate = blankToNull(firstPromptTemplate);
        refinePromptTemplate = blankToNull(refinePromptTemplate);
        systemPrompt = blankToNull(systemPrompt);
    }

    /** Settings with every optional field at its default and no API key. */
    public static OpenAiSourceSettings of(String baseUrl, String model) {
        return new OpenAiSourceSettings(baseUrl, model, null, null, null, null, null, null, null,
                null, null, null);
    }

    /** Problems that make these settings unusable, each naming its field; empty when valid. */
    public List<SettingsProblem> validate() {
        return SettingsValidation.validate(this);
    }

    /** {@link #validate()}, throwing when there is any problem. */
    public OpenAiSourceSettings requireValid() {
        List<SettingsProblem> problems = validate();
        if (!problems.isEmpty()) {
            throw new InvalidSourceSettingsException(problems);
        }
        return this;
    }

    /** The endpoint requests are posted to; see {@code baseUrl} for how the root is found. */
    public URI chatCompletionsUri() {
        String base = baseUrl;
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        String path = URI.create(base).getRawPath();
        String root = path == null || path.isEmpty() ? base + "/v1" : base;
        return URI.create(root + "/chat/completions");
    }

    public Duration timeout() {
        return Duration.ofMillis(timeoutMs);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}

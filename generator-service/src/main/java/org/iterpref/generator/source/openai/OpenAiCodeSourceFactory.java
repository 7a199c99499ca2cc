package org.iterpref.generator.source.openai;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds {@link OpenAiCodeSource}s from settings: validates them, resolves the API key (file, then
 * environment) and loads the prompt templates once, at construction of each source. Sources share
 * this factory's {@link HttpClient}.
 */
public class OpenAiCodeSourceFactory {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final ApiKeyResolver keys;
    private final HttpClient http;
    private final ChatCompletionsCodec codec;
    private final Sleeper sleeper;

    public OpenAiCodeSourceFactory(Function<String, String> environment, HttpClient http, JsonMapper json,
            Sleeper sleeper) {
        this.keys = new ApiKeyResolver(environment);
        this.http = Objects.requireNonNull(http, "http");
        this.codec = new ChatCompletionsCodec(json);
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** The process environment, an HTTP/1.1 client, a plain JSON mapper and real sleeps. */
    public static OpenAiCodeSourceFactory standard() {
        return new OpenAiCodeSourceFactory(System::getenv, defaultHttpClient(), JsonMapper.builder().build(),
                Sleeper.THREAD);
    }

    /**
     * HTTP/1.1 (vLLM's and Ollama's servers do not speak h2c; an upgrade attempt only costs) with a
     * connect timeout; each request also has the settings' own timeout.
     */
    public static HttpClient defaultHttpClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /**
     * @throws InvalidSourceSettingsException when the settings are invalid, the key cannot be found
     *                                        or a template file cannot be read
     */
    public OpenAiCodeSource create(OpenAiSourceSettings settings) {
        return create(settings, RetryPolicy.withRetries(settings.requireValid().maxRetries()));
    }

    /**
     * A source for settings already resolved under the operator's rules: its key and templates are
     * used as given (nothing is read from the environment or files here).
     */
    public OpenAiCodeSource create(ResolvedOpenAiSource resolved) {
        OpenAiSourceSettings settings = resolved.settings().requireValid();
        ChatCompletionsClient client = new ChatCompletionsClient(settings, resolved.apiKey(), http, codec,
                RetryPolicy.withRetries(settings.maxRetries()), sleeper);
        return new OpenAiCodeSource(settings, resolved.templates(), client, new CodeExtractor());
    }

    /** {@link #create(OpenAiSourceSettings)} with explicit waits between retries. */
    public OpenAiCodeSource create(OpenAiSourceSettings settings, RetryPolicy retryPolicy) {
        settings.requireValid();
        Optional<ApiKey> apiKey = keys.resolve(settings);
        PromptTemplates templates = PromptTemplates.load(settings);
        ChatCompletionsClient client = new ChatCompletionsClient(settings, apiKey, http, codec, retryPolicy, sleeper);
        return new OpenAiCodeSource(settings, templates, client, new CodeExtractor());
    }
}

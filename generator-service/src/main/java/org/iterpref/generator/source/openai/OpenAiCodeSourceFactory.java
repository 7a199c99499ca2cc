package org.iterpref.generator.source.openai;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds {@link OpenAiCodeSource}s from settings: validates them, resolves the API key (file, then
 * environment) and loads the prompt templates once, at construction of each source. Each source
 * keeps its own view of the model's context (looked up once, corrected by what the server reports);
 * sources share this factory's {@link HttpClient}.
 */
public class OpenAiCodeSourceFactory {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final ApiKeyResolver keys;
    private final HttpClient http;
    private final JsonMapper json;
    private final ChatCompletionsCodec codec;
    private final ScheduledExecutorService retryScheduler;
    private final Clock clock;

    /**
     * @param retryScheduler where the waits between a model server's retries run (tests pass one that
     *                       records them and does not wait)
     */
    public OpenAiCodeSourceFactory(Function<String, String> environment, HttpClient http, JsonMapper json,
            ScheduledExecutorService retryScheduler, Clock clock) {
        this.keys = new ApiKeyResolver(environment);
        this.http = Objects.requireNonNull(http, "http");
        this.json = Objects.requireNonNull(json, "json");
        this.codec = new ChatCompletionsCodec(json);
        this.retryScheduler = Objects.requireNonNull(retryScheduler, "retryScheduler");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The process environment, an HTTP/1.1 client, a plain JSON mapper, the system clock and one
     * daemon thread for the waits between retries (it only starts the next request).
     */
    public static OpenAiCodeSourceFactory standard() {
        ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "model-server-retries");
            thread.setDaemon(true);
            return thread;
        });
        return new OpenAiCodeSourceFactory(System::getenv, defaultHttpClient(), JsonMapper.builder().build(), retries,
                Clock.systemUTC());
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
        return create(settings, resolved.apiKey(), resolved.templates(), RetryPolicy.withRetries(settings.maxRetries()),
                resolved.window());
    }

    /** {@link #create(OpenAiSourceSettings)} with explicit waits between retries. */
    public OpenAiCodeSource create(OpenAiSourceSettings settings, RetryPolicy retryPolicy) {
        return create(settings, retryPolicy, ContextWindowSettings.NONE);
    }

    /** {@link #create(OpenAiSourceSettings, RetryPolicy)} with what the operator says about the model's context. */
    public OpenAiCodeSource create(OpenAiSourceSettings settings, RetryPolicy retryPolicy, ContextWindowSettings window) {
        settings.requireValid();
        return create(settings, keys.resolve(settings), PromptTemplates.load(settings), retryPolicy, window);
    }

    private OpenAiCodeSource create(OpenAiSourceSettings settings, Optional<ApiKey> apiKey, PromptTemplates templates,
            RetryPolicy retryPolicy, ContextWindowSettings window) {
        ChatCompletionsClient client = new ChatCompletionsClient(settings, apiKey, http, codec, retryPolicy,
                retryScheduler, clock);
        PromptSizeEstimator estimator = new PromptSizeEstimator(window.bytesPerToken());
        return new OpenAiCodeSource(settings, new PromptFitter(templates, settings.systemPrompt(), estimator), client,
                new ModelContextLength(settings, apiKey, http, json, window.contextLength()),
                estimator);
    }
}

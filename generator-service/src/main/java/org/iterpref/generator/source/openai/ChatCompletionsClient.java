package org.iterpref.generator.source.openai;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.iterpref.generator.source.SourceUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts chat-completions requests to one OpenAI-compatible server with the settings' model and
 * sampling parameters. Connection errors, timeouts (the whole answer must arrive within
 * {@code timeoutMs}), 408, 429 and 5xx are retried per the {@link RetryPolicy}, honouring
 * {@code Retry-After} (seconds) or {@code retry-after-ms}; when retries run out a
 * {@link SourceUnavailableException} is thrown. Any other non-2xx answer throws a
 * {@link ModelRequestException} with the server's message at once. Thread-safe.
 */
public class ChatCompletionsClient {

    private static final Logger log = LoggerFactory.getLogger(ChatCompletionsClient.class);

    private final OpenAiSourceSettings settings;
    private final Optional<ApiKey> apiKey;
    private final HttpClient http;
    private final ChatCompletionsCodec codec;
    private final RetryPolicy retryPolicy;
    private final Sleeper sleeper;
    private final URI endpoint;

    public ChatCompletionsClient(OpenAiSourceSettings settings, Optional<ApiKey> apiKey, HttpClient http,
            ChatCompletionsCodec codec, RetryPolicy retryPolicy, Sleeper sleeper) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.http = Objects.requireNonNull(http, "http");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.endpoint = settings.chatCompletionsUri();
    }

    /** A failed request: what happened, the wait the server asked for (or null), the cause. */
    private record Failure(String reason, Duration retryAfter, Throwable cause) {
    }

    /** The result of one request: a completion or a retryable failure. */
    private record Attempt(ChatCompletion completion, Failure failure) {
    }

    /**
     * The completion of {@code messages}; {@code seed} is sent when not null.
     *
     * @throws SourceUnavailableException when the server keeps failing or cannot be reached
     * @throws ModelRequestException      when the server rejects the request (4xx but 408/429)
     */
    public ChatCompletion complete(List<ChatMessage> messages, Long seed) {
        HttpRequest request = buildRequest(codec.requestBody(settings, messages, seed));
        int attempts = retryPolicy.maxRetries() + 1;
        for (int attempt = 1; ; attempt++) {
            long started = System.nanoTime();
            Attempt result = send(request);
            if (result.completion() != null) {
                logSuccess(result.completion(), attempt, started);
                return result.completion();
            }
            Failure failure = result.failure();
            if (attempt >= attempts) {
                throw new SourceUnavailableException("model server " + endpoint + " failed " + attempts
                        + " time(s) for model " + settings.model() + "; last: " + failure.reason(), failure.cause());
            }
            Duration wait = waitBefore(attempt, failure);
            log.warn("Model server {} failed for model {} (attempt {} of {}): {}; retrying in {} ms",
                    endpoint, settings.model(), attempt, attempts, failure.reason(), wait.toMillis());
            pause(wait);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    private HttpRequest buildRequest(String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint)
                .timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        apiKey.ifPresent(key -> builder.header("Authorization", "Bearer " + key.value()));
        return builder.build();
    }

    private Attempt send(HttpRequest request) {
        CompletableFuture<HttpResponse<String>> future =
                http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        try {
            return handle(future.get(settings.timeoutMs(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            future.cancel(true);
            return failed("no answer within " + settings.timeoutMs() + " ms", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof HttpTimeoutException) {
                return failed("no answer within " + settings.timeoutMs() + " ms", cause);
            }
            if (cause instanceof IOException) {
                return failed("cannot reach the server: " + cause, cause);
            }
            throw new SourceUnavailableException("request to " + endpoint + " failed: " + cause, cause);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new SourceUnavailableException("interrupted while waiting for " + endpoint, e);
        }
    }

    private Attempt handle(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return new Attempt(codec.parse(status, response.body()), null);
        }
        String message = codec.errorMessage(response.body());
        if (status == 408 || status == 429 || status >= 500) {
            Duration retryAfter = RetryAfter.parse(response.headers()).orElse(null);
            return new Attempt(null, new Failure("HTTP " + status + ": " + message, retryAfter, null));
        }
        String rejected = "model server " + endpoint + " rejected the request for model " + settings.model()
                + " with HTTP " + status + ": " + message;
        Optional<ContextOverflow> overflow = codec.contextOverflow(response.body());
        if (overflow.isPresent()) {
            throw new ContextLengthExceededException(status, rejected, overflow.get());
        }
        throw new ModelRequestException(status, rejected);
    }

    private static Attempt failed(String reason, Throwable cause) {
        return new Attempt(null, new Failure(reason, null, cause));
    }

    private Duration waitBefore(int retry, Failure failure) {
        if (failure.retryAfter() != null) {
            return retryPolicy.retryAfter(failure.retryAfter());
        }
        return retryPolicy.backoff(retry, ThreadLocalRandom.current().nextDouble());
    }

    private void pause(Duration wait) {
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceUnavailableException("interrupted while waiting to retry " + endpoint, e);
        }
    }

    private void logSuccess(ChatCompletion completion, int attempt, long startedNanos) {
        if (log.isDebugEnabled()) {
            log.debug("Model {} answered in {} ms (attempt {}): finish_reason={}, tokens {}/{}",
                    settings.model(), (System.nanoTime() - startedNanos) / 1_000_000, attempt,
                    completion.finishReason(), completion.promptTokens(), completion.completionTokens());
        }
        if ("length".equals(completion.finishReason())) {
            log.warn("Model {} stopped at max_tokens={}: the code may be cut off", settings.model(),
                    settings.maxTokens());
        }
    }
}

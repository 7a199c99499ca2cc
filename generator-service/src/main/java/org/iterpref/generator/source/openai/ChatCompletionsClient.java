package org.iterpref.generator.source.openai;

import org.iterpref.generator.web.CappedBody;
import org.iterpref.web.RequestIdLogging;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.iterpref.generator.source.SourceUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts chat-completions requests to one OpenAI-compatible server with the settings' model and
 * sampling parameters, retrying with resilience4j (as the executor client does). Connection
 * errors, timeouts (the whole answer must arrive within {@code timeoutMs}), 408, 429 and 5xx are
 * retried up to {@code maxRetries} times; the wait is the server's {@code retry-after-ms} or
 * {@code Retry-After} (seconds or an HTTP date), capped, else the {@link RetryPolicy}'s exponential
 * backoff with jitter. Waits run on the given scheduler, never on the caller's thread. When retries
 * run out a {@link SourceUnavailableException} is thrown. Any other non-2xx answer (400, 401, 404
 * ...) throws a {@link ModelRequestException} with the server's message at once — a
 * {@link ContextLengthExceededException} when it says the prompt is too long. Thread-safe.
 */
public class ChatCompletionsClient {

    private static final Logger log = LoggerFactory.getLogger(ChatCompletionsClient.class);
    /** The largest answer read (32,768 completion tokens are well under 1 MiB of JSON); more is refused. */
    static final long MAX_RESPONSE_BYTES = 8L << 20;

    private final OpenAiSourceSettings settings;
    private final Optional<ApiKey> apiKey;
    private final HttpClient http;
    private final ChatCompletionsCodec codec;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final URI endpoint;
    private final Retry retry;

    public ChatCompletionsClient(OpenAiSourceSettings settings, Optional<ApiKey> apiKey, HttpClient http,
            ChatCompletionsCodec codec, RetryPolicy retryPolicy, ScheduledExecutorService scheduler, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.http = Objects.requireNonNull(http, "http");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.endpoint = settings.chatCompletionsUri();
        this.retry = Retry.of("model " + settings.model(), RetryConfig.<ChatCompletion>custom()
                .maxAttempts(retryPolicy.maxRetries() + 1)
                .retryOnException(e -> unwrap(e) instanceof RetryableFailure)
                .intervalBiFunction((attempt, outcome) -> wait(retryPolicy, attempt, outcome).toMillis())
                .build());
        retry.getEventPublisher().onRetry(event -> log.warn("Model server {} failed for model {} (attempt {} of {}): {};"
                + " retrying in {} ms", endpoint, settings.model(), event.getNumberOfRetryAttempts(),
                retryPolicy.maxRetries() + 1, reason(event.getLastThrowable()), event.getWaitInterval().toMillis()));
    }

    /** A failure worth another attempt, with the wait the server asked for (or null). */
    static final class RetryableFailure extends RuntimeException {

        private final transient Duration retryAfter;

        RetryableFailure(String reason, Duration retryAfter, Throwable cause) {
            super(reason, cause, false, false);
            this.retryAfter = retryAfter;
        }
    }

    /**
     * The completion of {@code messages}; {@code seed} is sent when not null.
     *
     * @throws SourceUnavailableException when the server keeps failing or cannot be reached
     * @throws ModelRequestException      when the server rejects the request (4xx but 408/429)
     */
    public ChatCompletion complete(List<ChatMessage> messages, Long seed) {
        HttpRequest request = buildRequest(codec.requestBody(settings, messages, seed));
        AtomicInteger attempts = new AtomicInteger();
        long started = System.nanoTime();
        CompletableFuture<ChatCompletion> result = retry.executeCompletionStage(scheduler, () -> {
            attempts.incrementAndGet();
            return send(request);
        }).toCompletableFuture();
        try {
            ChatCompletion completion = result.get();
            logSuccess(completion, attempts.get(), started);
            return completion;
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof RetryableFailure failure) {
                throw new SourceUnavailableException("model server " + endpoint + " failed " + attempts.get()
                        + " time(s) for model " + settings.model() + "; last: " + failure.getMessage(), failure.getCause());
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new SourceUnavailableException("request to " + endpoint + " failed: " + cause, cause);
        } catch (InterruptedException e) {
            result.cancel(true);
            Thread.currentThread().interrupt();
            throw new SourceUnavailableException("interrupted while waiting for " + endpoint, e);
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
        RequestIdLogging.current().ifPresent(id -> builder.header(RequestIdLogging.HEADER, id));
        return builder.build();
    }

    private CompletableFuture<ChatCompletion> send(HttpRequest request) {
        return http.sendAsync(request, CappedBody.text(MAX_RESPONSE_BYTES))
                .orTimeout(settings.timeoutMs(), TimeUnit.MILLISECONDS)
                .handle((response, error) -> {
                    if (error == null) {
                        return handle(response);
                    }
                    Throwable cause = unwrap(error);
                    if (cause instanceof TimeoutException || cause instanceof HttpTimeoutException) {
                        throw new RetryableFailure("no answer within " + settings.timeoutMs() + " ms", null, cause);
                    }
                    if (cause instanceof CappedBody.TooLarge tooLarge) {
                        throw new ModelRequestException(200, "model server " + endpoint + " answered for model "
                                + settings.model() + ": " + tooLarge.getMessage());
                    }
                    if (cause instanceof IOException) {
                        throw new RetryableFailure("cannot reach the server: " + cause, null, cause);
                    }
                    throw new SourceUnavailableException("request to " + endpoint + " failed: " + cause, cause);
                });
    }

    private ChatCompletion handle(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return codec.parse(status, response.body());
        }
        String message = codec.errorMessage(response.body());
        if (status == 408 || status == 429 || status >= 500) {
            Duration retryAfter = RetryAfter.parse(response.headers(), clock).orElse(null);
            throw new RetryableFailure("HTTP " + status + ": " + message, retryAfter, null);
        }
        String rejected = "model server " + endpoint + " rejected the request for model " + settings.model()
                + " with HTTP " + status + ": " + message;
        Optional<ContextOverflow> overflow = codec.contextOverflow(response.body());
        if (overflow.isPresent()) {
            throw new ContextLengthExceededException(status, rejected, overflow.get());
        }
        throw new ModelRequestException(status, rejected);
    }

    /** The server's wait, capped, when it gave one; else the policy's backoff for this retry. */
    private static Duration wait(RetryPolicy policy, int retry, Either<Throwable, ChatCompletion> outcome) {
        if (outcome.isLeft() && unwrap(outcome.getLeft()) instanceof RetryableFailure failure
                && failure.retryAfter != null) {
            return policy.retryAfter(failure.retryAfter);
        }
        return policy.backoff(retry, ThreadLocalRandom.current().nextDouble());
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String reason(Throwable error) {
        return error == null ? "unknown" : unwrap(error).getMessage();
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

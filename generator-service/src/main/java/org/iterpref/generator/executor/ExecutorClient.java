package org.iterpref.generator.executor;

import org.iterpref.web.RequestIdLogging;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.iterpref.common.execution.BatchExecutionRequest;
import org.iterpref.common.execution.BatchExecutionResult;
import org.iterpref.common.execution.ExecutionRequest;
import org.iterpref.common.execution.ExecutionResult;
import org.iterpref.common.execution.Verdict;
import org.iterpref.generator.config.GeneratorProperties;
import org.iterpref.generator.task.Task;
import tools.jackson.databind.json.JsonMapper;

/**
 * The executor-service over HTTP, with timeouts, retries with backoff (connection failures, 429,
 * 5xx, sandbox errors) and a circuit breaker, so an executor outage turns into
 * {@link ExecutorUnavailableException} quickly instead of piling up requests.
 */
public final class ExecutorClient implements TestRunner {

    private final HttpClient http;
    private final JsonMapper json;
    private final URI executions;
    private final URI batch;
    private final Duration requestTimeout;
    private final int checkWallTimeMs;
    private final Retry retry;
    private final CircuitBreaker breaker;

    public ExecutorClient(GeneratorProperties.Executor settings, JsonMapper json) {
        this.json = json;
        String base = settings.baseUrl().replaceAll("/+$", "");
        this.executions = URI.create(base + "/v1/executions");
        this.batch = URI.create(base + "/v1/executions/batch");
        this.requestTimeout = Duration.ofMillis(settings.requestTimeoutMs());
        this.checkWallTimeMs = settings.checkWallTimeMs();
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(settings.connectTimeoutMs())).build();
        this.retry = Retry.of("executor", RetryConfig.custom()
                .maxAttempts(settings.maxAttempts())
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(Duration.ofMillis(200), 2.0, 0.5))
                .retryExceptions(RetryableExecutorException.class)
                .build());
        this.breaker = CircuitBreaker.of("executor", CircuitBreakerConfig.custom()
                .slidingWindowSize(20)
                .minimumNumberOfCalls(10)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(10))
                .recordExceptions(RetryableExecutorException.class)
                .build());
    }

    @Override
    public ExecutionResult run(Task task, String code) {
        ExecutionResult result = call(() -> post(executions, request(task, code), ExecutionResult.class));
        if (result.verdict() == Verdict.SANDBOX_ERROR) {
            throw new ExecutorUnavailableException("the executor's sandbox failed: " + result.feedback());
        }
        return result;
    }

    /** Stops at the first failing test, with {@code check-wall-time-ms} per test. */
    @Override
    public ExecutionResult check(Task task, String code) {
        ExecutionRequest request = new ExecutionRequest(task.language(), code, task.tests(),
                new org.iterpref.common.execution.ExecutionLimits(checkWallTimeMs, null, null, null), true);
        ExecutionResult result = call(() -> post(executions, request, ExecutionResult.class));
        if (result.verdict() == Verdict.SANDBOX_ERROR) {
            throw new ExecutorUnavailableException("the executor's sandbox failed: " + result.feedback());
        }
        return result;
    }

    /** Runs several programs in one batch request; results in order. */
    public List<ExecutionResult> runAll(List<ExecutionRequest> requests) {
        return call(() -> post(batch, new BatchExecutionRequest(requests), BatchExecutionResult.class)).results();
    }

    public static ExecutionRequest request(Task task, String code) {
        return new ExecutionRequest(task.language(), code, task.tests(), null, false);
    }

    private <T> T call(Supplier<T> attempt) {
        try {
            return Retry.decorateSupplier(retry, CircuitBreaker.decorateSupplier(breaker, attempt)).get();
        } catch (RetryableExecutorException e) {
            throw new ExecutorUnavailableException(e.getMessage(), e);
        } catch (CallNotPermittedException e) {
            throw new ExecutorUnavailableException("executor circuit breaker is open after repeated failures", e);
        }
    }

    private <T> T post(URI uri, Object body, Class<T> type) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        RequestIdLogging.current().ifPresent(id -> builder.header(RequestIdLogging.HEADER, id));
        HttpRequest request = builder.build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new RetryableExecutorException("executor unreachable at " + uri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExecutorUnavailableException("interrupted while calling the executor", e);
        }
        int status = response.statusCode();
        if (status == 429 || status >= 500) {
            throw new RetryableExecutorException("executor answered " + status + " at " + uri);
        }
        if (status != 200) {
            throw new IllegalArgumentException("executor refused the request (" + status + "): "
                    + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return json.readValue(response.body(), type);
    }

    /** A failure worth another attempt. */
    static final class RetryableExecutorException extends RuntimeException {
        RetryableExecutorException(String message) {
            super(message);
        }

        RetryableExecutorException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

package org.iterpref.generator.source.openai;

import java.time.Duration;

/**
 * When and how long to wait before retrying a chat-completions request. Retry {@code n} (1-based)
 * waits {@code min(maxBackoff, initialBackoff * 2^(n-1))}, scaled by a jitter factor in
 * [0.5, 1.0) so parallel workers do not retry in lockstep. A server's {@code Retry-After} replaces
 * that wait, capped at {@code maxRetryAfter}.
 *
 * @param maxRetries     retries after the first request (so at most {@code maxRetries + 1} requests)
 * @param initialBackoff the wait before the first retry, before jitter
 * @param maxBackoff     the longest computed wait, before jitter
 * @param maxRetryAfter  the longest wait a {@code Retry-After} header can ask for
 */
public record RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter) {

    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(16);
    public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofSeconds(60);

    public RetryPolicy {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0");
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative() || maxRetryAfter.isNegative()) {
            throw new IllegalArgumentException("backoff durations must not be negative");
        }
    }

    /** The default waits with the given number of retries. */
    public static RetryPolicy withRetries(int maxRetries) {
        return new RetryPolicy(maxRetries, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_MAX_RETRY_AFTER);
    }

    /**
     * The wait before retry {@code retry} (1-based) when the server gave no {@code Retry-After}.
     *
     * @param jitter a number in [0, 1): 0 gives half the exponential wait, 1 the whole of it
     */
    public Duration backoff(int retry, double jitter) {
        int exponent = Math.min(Math.max(retry - 1, 0), 30);
        long exponential = initialBackoff.toMillis() * (1L << exponent);
        long capped = Math.min(Math.max(exponential, 0), maxBackoff.toMillis());
        double factor = 0.5 + 0.5 * Math.min(Math.max(jitter, 0.0), 1.0);
        return Duration.ofMillis(Math.round(capped * factor));
    }

    /** The server's requested wait, capped at {@code maxRetryAfter}. */
    public Duration retryAfter(Duration requested) {
        if (requested.isNegative()) {
            return Duration.ZERO;
        }
        return requested.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : requested;
    }
}

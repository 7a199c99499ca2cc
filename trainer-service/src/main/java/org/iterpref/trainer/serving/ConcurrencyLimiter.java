package org.iterpref.trainer.serving;

import java.util.concurrent.Semaphore;
import org.iterpref.trainer.config.TrainerProperties;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/** At most {@code max-concurrent-requests} model computations at once; the next one is refused (429). */
@Component
public class ConcurrencyLimiter {

    static final long RETRY_AFTER_SECONDS = 1;
    private final Semaphore permits;

    public ConcurrencyLimiter(TrainerProperties properties) {
        this.permits = new Semaphore(properties.maxConcurrentRequests());
    }

    /** Takes a permit, or throws a 429 {@link OpenAiException} when none is free. */
    public void acquire() {
        if (!permits.tryAcquire()) {
            throw new TooManyRequestsException();
        }
    }

    /** Takes a permit if one is free (for tests and admin tasks). */
    public boolean tryAcquire() {
        return permits.tryAcquire();
    }

    public void release() {
        permits.release();
    }

    /** 429, with Retry-After. */
    public static final class TooManyRequestsException extends OpenAiException {
        TooManyRequestsException() {
            super(HttpStatus.TOO_MANY_REQUESTS, "rate_limit_error",
                    "The server is busy with other completions; retry shortly.", null, "server_busy");
        }

        public long retryAfterSeconds() {
            return RETRY_AFTER_SECONDS;
        }
    }
}

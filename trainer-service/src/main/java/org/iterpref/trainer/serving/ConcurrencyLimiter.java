package org.iterpref.trainer.serving;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.iterpref.trainer.config.TrainerProperties;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * At most {@code max-concurrent-requests} model computations at once. Further requests wait in a
 * first-come first-served queue of at most {@code max-queued-requests}, each for at most
 * {@code queue-timeout}; a request that finds the queue full, or waits too long, is answered 429
 * with Retry-After.
 */
@Component
public class ConcurrencyLimiter {

    static final long RETRY_AFTER_SECONDS = 1;
    private final int slots;
    private final Semaphore permits;
    private final int maxQueued;
    private final Duration queueTimeout;
    private final AtomicInteger queued = new AtomicInteger();

    public ConcurrencyLimiter(TrainerProperties properties, MeterRegistry meters) {
        this.slots = properties.maxConcurrentRequests();
        this.permits = new Semaphore(slots, true);
        this.maxQueued = properties.maxQueuedRequests();
        this.queueTimeout = properties.queueTimeout();
        Gauge.builder("trainer.requests.active", this, l -> l.slots - l.permits.availablePermits())
                .description("completions being computed").register(meters);
        Gauge.builder("trainer.requests.queued", queued, AtomicInteger::get)
                .description("completions waiting for a free slot").register(meters);
    }

    /**
     * Takes a slot, waiting in the queue if none is free; throws a 429 {@link OpenAiException} when
     * the queue is full or the wait times out. Close the permit to give the slot back.
     */
    public Permit acquire() {
        if (permits.tryAcquire()) {
            return new Permit();
        }
        if (queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            throw new TooManyRequestsException();
        }
        try {
            if (!permits.tryAcquire(queueTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new TooManyRequestsException();
            }
            return new Permit();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TooManyRequestsException();
        } finally {
            queued.decrementAndGet();
        }
    }

    /** Requests now waiting for a slot. */
    int queued() {
        return queued.get();
    }

    /** Slots now free. */
    int available() {
        return permits.availablePermits();
    }

    /** A held slot; closing it (any number of times) frees the slot once. */
    public final class Permit implements AutoCloseable {

        private final AtomicBoolean open = new AtomicBoolean(true);

        private Permit() {
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                permits.release();
            }
        }
    }

    /** 429, with Retry-After. */
    public static final class TooManyRequestsException extends OpenAiException {
        TooManyRequestsException() {
            super(HttpStatus.TOO_MANY_REQUESTS, "rate_limit_error",
                    "The server is busy with other completions and its queue is full; retry shortly.", null,
                    "server_busy");
        }

        public long retryAfterSeconds() {
            return RETRY_AFTER_SECONDS;
        }
    }
}

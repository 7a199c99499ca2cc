package org.iterpref.executor.execution;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A fixed pool of workers in front of a bounded queue. A request's executions are admitted
 * all together or not at all: when they do not fit, {@link QueueFullException} says when to
 * come back, estimated from the recent execution time.
 */
public final class ExecutionQueue implements AutoCloseable {

    private final ThreadPoolExecutor pool;
    private final Semaphore admitted;
    private final int workers;
    private final Counter rejected;
    private final AtomicLong averageMs = new AtomicLong(1000);

    public ExecutionQueue(int workers, int queueCapacity, MeterRegistry registry) {
        this.workers = workers;
        this.admitted = new Semaphore(workers + queueCapacity);
        AtomicInteger threadNumber = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "execution-worker-" + threadNumber.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.rejected = Counter.builder("iterpref.executions.rejected")
                .description("Executions refused with 429 because the queue was full").register(registry);
        Gauge.builder("iterpref.executor.queue.depth", pool, p -> p.getQueue().size())
                .description("Executions waiting for a worker").register(registry);
        Gauge.builder("iterpref.executor.active", pool, ThreadPoolExecutor::getActiveCount)
                .description("Executions running now").register(registry);
    }

    /** Admits every task or none; each future completes with its task's value. */
    public <T> List<CompletableFuture<T>> submitAll(List<Supplier<T>> tasks) {
        if (!admitted.tryAcquire(tasks.size())) {
            rejected.increment(tasks.size());
            throw new QueueFullException(tasks.size(), admitted.availablePermits(), retryAfterSeconds());
        }
        List<CompletableFuture<T>> futures = new ArrayList<>(tasks.size());
        for (Supplier<T> task : tasks) {
            futures.add(CompletableFuture.supplyAsync(() -> timed(task), pool));
        }
        return futures;
    }

    private <T> T timed(Supplier<T> task) {
        long start = System.nanoTime();
        try {
            return task.get();
        } finally {
            long ms = (System.nanoTime() - start) / 1_000_000;
            averageMs.updateAndGet(avg -> (avg * 7 + ms) / 8);
            admitted.release();
        }
    }

    /** Seconds until the queue has likely drained enough, between 1 and 60. */
    long retryAfterSeconds() {
        long queued = pool.getQueue().size() + (long) pool.getActiveCount();
        long ms = queued * averageMs.get() / Math.max(1, workers);
        return Math.max(1, Math.min(60, (ms + 999) / 1000));
    }

    public int queued() {
        return pool.getQueue().size();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}

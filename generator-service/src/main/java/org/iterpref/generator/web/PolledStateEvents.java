package org.iterpref.generator.web;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-Sent Events of a state kept in PostgreSQL, polled: a {@code progress} event with the whole
 * state whenever it changed, then {@code end} with the final state. Reading committed state, a
 * client sees the work of every instance whichever it is connected to; sending whole states, not
 * increments, there is no cursor a late commit could slip behind, and a client that reconnects
 * misses nothing (the first event on every connection is the current state).
 */
public final class PolledStateEvents {

    private final long pollMs;
    private final long timeoutMs;
    private final ScheduledExecutorService poller;
    private final Map<SseEmitter, ScheduledFuture<?>> subscriptions = new ConcurrentHashMap<>();

    public PolledStateEvents(String threadName, long pollMs, long timeoutMs) {
        this.pollMs = pollMs;
        this.timeoutMs = timeoutMs;
        this.poller = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A stream of {@code read}'s state: sent when {@code changed(last, now)}, with {@code eventId(now)}
     * as its (informational) id, until {@code ended(now)}.
     */
    public <T> SseEmitter subscribe(Supplier<T> read, BiPredicate<T, T> changed, Predicate<T> ended,
                                    Function<T, String> eventId) {
        SseEmitter emitter = new SseEmitter(timeoutMs);
        Object[] last = new Object[1];
        ScheduledFuture<?> task = poller.scheduleWithFixedDelay(() -> push(emitter, read, changed, ended, eventId, last),
                0, pollMs, TimeUnit.MILLISECONDS);
        subscriptions.put(emitter, task);
        Runnable cleanup = () -> {
            ScheduledFuture<?> f = subscriptions.remove(emitter);
            if (f != null) {
                f.cancel(false);
            }
        };
        emitter.onCompletion(cleanup);
        emitter.onTimeout(cleanup);
        emitter.onError(e -> cleanup.run());
        return emitter;
    }

    @SuppressWarnings("unchecked")
    private <T> void push(SseEmitter emitter, Supplier<T> read, BiPredicate<T, T> changed, Predicate<T> ended,
                          Function<T, String> eventId, Object[] last) {
        try {
            T now = read.get();
            if (last[0] == null || changed.test((T) last[0], now)) {
                emitter.send(SseEmitter.event().name("progress").id(eventId.apply(now)).data(now));
                last[0] = now;
            }
            if (ended.test(now)) {
                emitter.send(SseEmitter.event().name("end").data(now));
                emitter.complete();
            }
        } catch (IOException | RuntimeException e) {
            emitter.completeWithError(e);
        }
    }

    /** Ends every open stream and stops polling. */
    public void close() {
        subscriptions.keySet().forEach(SseEmitter::complete);
        poller.shutdownNow();
    }
}

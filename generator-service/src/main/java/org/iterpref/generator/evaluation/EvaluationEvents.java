package org.iterpref.generator.evaluation;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-Sent Events for an evaluation: a {@code progress} event with the whole evaluation (as
 * {@link EvaluationService#result}) whenever its progress or status changes, then {@code end}. Read
 * from PostgreSQL, so every instance's work shows; state, not increments, so a client that
 * reconnects misses nothing.
 */
@Component
public class EvaluationEvents implements DisposableBean {

    static final long POLL_MS = 500;
    static final long TIMEOUT_MS = 6 * 60 * 60 * 1000L;

    private final EvaluationService evaluations;
    private final ScheduledExecutorService poller = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "evaluation-events");
        t.setDaemon(true);
        return t;
    });
    private final Map<SseEmitter, ScheduledFuture<?>> subscriptions = new ConcurrentHashMap<>();

    public EvaluationEvents(EvaluationService evaluations) {
        this.evaluations = evaluations;
    }

    public SseEmitter subscribe(UUID id) {
        SseEmitter emitter = new SseEmitter(TIMEOUT_MS);
        EvaluationResult[] last = new EvaluationResult[1];
        ScheduledFuture<?> task = poller.scheduleWithFixedDelay(() -> push(emitter, id, last), 0, POLL_MS,
                TimeUnit.MILLISECONDS);
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

    private void push(SseEmitter emitter, UUID id, EvaluationResult[] last) {
        try {
            EvaluationResult now = evaluations.result(id);
            if (last[0] == null || !now.progress().equals(last[0].progress()) || now.status() != last[0].status()
                    || !Objects.equals(now.passAtK(), last[0].passAtK())) {
                emitter.send(SseEmitter.event().name("progress").id(Integer.toString(now.progress().done())).data(now));
                last[0] = now;
            }
            if (now.status().ended()) {
                emitter.send(SseEmitter.event().name("end").data(now));
                emitter.complete();
            }
        } catch (IOException | RuntimeException e) {
            emitter.completeWithError(e);
        }
    }

    @Override
    public void destroy() {
        subscriptions.keySet().forEach(SseEmitter::complete);
        poller.shutdownNow();
    }
}

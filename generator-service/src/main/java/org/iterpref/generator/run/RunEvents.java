package org.iterpref.generator.run;

import java.io.IOException;
import java.util.Map;
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
 * Server-Sent Events for a run. Progress is read from PostgreSQL, so a client sees the work of
 * every instance, whichever instance it is connected to.
 *
 * <p>The stream carries state, not increments: every event is the run's whole progress as of one
 * snapshot of committed data ({@link RunService#progress}), so there is no cursor that a late
 * commit could slip behind, and a client that misses events or reconnects misses nothing: the first
 * event on every connection is the current state, whatever {@code Last-Event-ID} it sends. The event
 * id is the run's committed iteration count, which never decreases; it is informational, not a
 * resume position.
 */
@Component
public class RunEvents implements DisposableBean {

    static final long POLL_MS = 500;
    static final long TIMEOUT_MS = 6 * 60 * 60 * 1000L;

    private final RunService runs;
    private final ScheduledExecutorService poller = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "run-events");
        t.setDaemon(true);
        return t;
    });
    private final Map<SseEmitter, ScheduledFuture<?>> subscriptions = new ConcurrentHashMap<>();

    public RunEvents(RunService runs) {
        this.runs = runs;
    }

    public SseEmitter subscribe(UUID runId) {
        SseEmitter emitter = new SseEmitter(TIMEOUT_MS);
        RunProgress[] last = new RunProgress[1];
        ScheduledFuture<?> task = poller.scheduleWithFixedDelay(() -> push(emitter, runId, last), 0, POLL_MS,
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

    private void push(SseEmitter emitter, UUID runId, RunProgress[] last) {
        try {
            RunProgress now = runs.progress(runId);
            boolean changed = last[0] == null || !now.counts().equals(last[0].counts())
                    || now.status() != last[0].status() || now.iterations() != last[0].iterations();
            if (changed) {
                emitter.send(SseEmitter.event().name("progress").id(Long.toString(now.iterations())).data(now));
                last[0] = now;
            }
            if (now.status() == RunStatus.COMPLETED || now.status() == RunStatus.CANCELLED) {
                emitter.send(SseEmitter.event().name("end").data(now));
                emitter.complete();
            }
        } catch (IOException | IllegalStateException e) {
            emitter.completeWithError(e);
        } catch (RuntimeException e) {
            emitter.completeWithError(e);
        }
    }

    @Override
    public void destroy() {
        subscriptions.keySet().forEach(SseEmitter::complete);
        poller.shutdownNow();
    }
}

package org.iterpref.generator.run;

import java.util.UUID;
import org.iterpref.generator.web.PolledStateEvents;
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
    private final PolledStateEvents events = new PolledStateEvents("run-events", POLL_MS, TIMEOUT_MS);

    public RunEvents(RunService runs) {
        this.runs = runs;
    }

    public SseEmitter subscribe(UUID runId) {
        return events.subscribe(() -> runs.progress(runId),
                (last, now) -> !now.counts().equals(last.counts()) || now.status() != last.status()
                        || now.iterations() != last.iterations(),
                now -> now.status() == RunStatus.COMPLETED || now.status() == RunStatus.CANCELLED,
                now -> Long.toString(now.iterations()));
    }

    @Override
    public void destroy() {
        events.close();
    }
}

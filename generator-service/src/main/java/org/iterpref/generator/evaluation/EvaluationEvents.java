package org.iterpref.generator.evaluation;

import java.util.Objects;
import java.util.UUID;
import org.iterpref.generator.web.PolledStateEvents;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-Sent Events for an evaluation: a {@code progress} event with the whole evaluation (as
 * {@link EvaluationService#result}) whenever its progress, status or scores change, then {@code end}
 * (see {@link PolledStateEvents}). The event id is the count of samples done.
 */
@Component
public class EvaluationEvents implements DisposableBean {

    static final long POLL_MS = 500;
    static final long TIMEOUT_MS = 6 * 60 * 60 * 1000L;

    private final EvaluationService evaluations;
    private final PolledStateEvents events = new PolledStateEvents("evaluation-events", POLL_MS, TIMEOUT_MS);

    public EvaluationEvents(EvaluationService evaluations) {
        this.evaluations = evaluations;
    }

    public SseEmitter subscribe(UUID id) {
        return events.subscribe(() -> evaluations.result(id),
                (last, now) -> !now.progress().equals(last.progress()) || now.status() != last.status()
                        || !Objects.equals(now.passAtK(), last.passAtK()),
                now -> now.status().ended(),
                now -> Integer.toString(now.progress().done()));
    }

    @Override
    public void destroy() {
        events.close();
    }
}

package org.iterpref.trainer.finetune;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.iterpref.trainer.serving.OpenAiException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /v1/fine_tuning/jobs/{id}/events?stream=true}: the job's events as Server-Sent Events
 * ({@code data: <fine_tuning.job.event>}, oldest first) as they happen, then {@code data: [DONE]}
 * once the job has ended. Events are read from PostgreSQL, so a client sees what any instance
 * wrote; one shared poller serves every stream, and the number of open streams is capped.
 */
@Component
class JobEventStream implements DisposableBean {

    static final long POLL_MS = 250;
    static final long TIMEOUT_MS = 24 * 60 * 60 * 1000L;
    static final int MAX_STREAMS = 64;
    static final int BATCH = 100;

    private final FineTuningJobs jobs;
    private final JobHistory history;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(
            FineTuningWorker.threads("job-events"));
    private final Map<SseEmitter, ScheduledFuture<?>> streams = new ConcurrentHashMap<>();

    JobEventStream(FineTuningJobs jobs, JobHistory history) {
        this.jobs = jobs;
        this.history = history;
    }

    SseEmitter subscribe(String jobId) {
        jobs.entity(jobId);
        if (streams.size() >= MAX_STREAMS) {
            throw new OpenAiException(HttpStatus.TOO_MANY_REQUESTS, "rate_limit_error", "Too many event streams are "
                    + "open on this server; poll the event list instead or try again later.", null, null);
        }
        SseEmitter emitter = new SseEmitter(TIMEOUT_MS);
        long[] last = {0};
        ScheduledFuture<?> task = poller.scheduleWithFixedDelay(() -> push(emitter, jobId, last), 0, POLL_MS,
                TimeUnit.MILLISECONDS);
        streams.put(emitter, task);
        Runnable cleanup = () -> {
            ScheduledFuture<?> f = streams.remove(emitter);
            if (f != null) {
                f.cancel(false);
            }
        };
        emitter.onCompletion(cleanup);
        emitter.onTimeout(cleanup);
        emitter.onError(e -> cleanup.run());
        return emitter;
    }

    private void push(SseEmitter emitter, String jobId, long[] last) {
        try {
            // read the status first: events written before the job ended are then surely in the read below
            boolean finished = jobs.finished(jobId);
            List<JobHistory.Event> events = history.eventsAfter(jobId, last[0], BATCH);
            for (JobHistory.Event event : events) {
                emitter.send(SseEmitter.event().id("ftevent-" + event.id())
                        .data(FineTuningJobs.event(event), MediaType.APPLICATION_JSON));
                last[0] = event.id();
            }
            if (finished && events.size() < BATCH) {
                emitter.send(SseEmitter.event().data("[DONE]"));
                emitter.complete();
                ScheduledFuture<?> f = streams.remove(emitter);
                if (f != null) {
                    f.cancel(false);
                }
            }
        } catch (IOException | RuntimeException e) {
            emitter.completeWithError(e);
            ScheduledFuture<?> f = streams.remove(emitter);
            if (f != null) {
                f.cancel(false);
            }
        }
    }

    @Override
    public void destroy() {
        streams.keySet().forEach(SseEmitter::complete);
        poller.shutdownNow();
    }
}

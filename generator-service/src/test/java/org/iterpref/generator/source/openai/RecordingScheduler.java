package org.iterpref.generator.source.openai;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Runs what is scheduled at once, on its own thread, and records the waits it was asked for. */
final class RecordingScheduler extends ScheduledThreadPoolExecutor {

    private final List<Duration> waits = new CopyOnWriteArrayList<>();

    RecordingScheduler() {
        super(1, task -> {
            Thread thread = new Thread(task, "recording-scheduler");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        waits.add(Duration.ofNanos(unit.toNanos(delay)));
        return super.schedule(command, 0, unit);
    }

    List<Duration> waits() {
        return List.copyOf(waits);
    }
}

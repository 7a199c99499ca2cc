package org.iterpref.reliability;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Polls a few GET endpoints through a gateway, one after another, every {@code periodMs}, and keeps
 * each answer's send and receive time: the record from which the longest run of 5xx answers (or
 * failed connections) during a fault is measured. Bounded: it stops when told or after its limit.
 */
final class AvailabilityProbe implements AutoCloseable {

    /** One request: when it was sent and answered (System.nanoTime), its status, -1 for an I/O failure. */
    record Answer(String path, long sentNanos, long answeredNanos, int status) {

        boolean failed() {
            return status < 0 || status >= 500;
        }
    }

    /** A run of consecutive failed answers of one path: from the first's send to the last's answer. */
    record Outage(String path, long fromNanos, long toNanos, int answers) {

        double seconds() {
            return (toNanos - fromNanos) / 1e9;
        }
    }

    private final int port;
    private final String key;
    private final List<String> paths;
    private final long periodMs;
    private final List<Answer> answers = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    AvailabilityProbe(int port, String key, List<String> paths, long periodMs, long limitMs) {
        this.port = port;
        this.key = key;
        this.paths = List.copyOf(paths);
        this.periodMs = periodMs;
        long deadline = System.nanoTime() + limitMs * 1_000_000;
        this.thread = new Thread(() -> loop(deadline), "availability-probe");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void loop(long deadline) {
        while (running && System.nanoTime() < deadline) {
            for (String path : paths) {
                long sent = System.nanoTime();
                int status;
                try {
                    status = PlatformApi.call(port, "GET", path, key, null).status();
                } catch (IOException e) {
                    status = -1;
                }
                answers.add(new Answer(path, sent, System.nanoTime(), status));
            }
            try {
                Thread.sleep(periodMs);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    List<Answer> answers() {
        return List.copyOf(answers);
    }

    /** Every run of consecutive failed answers, per path, in time order. */
    List<Outage> outages() {
        List<Outage> outages = new ArrayList<>();
        for (String path : paths) {
            Answer first = null;
            Answer last = null;
            int count = 0;
            for (Answer answer : answers) {
                if (!answer.path().equals(path)) {
                    continue;
                }
                if (answer.failed()) {
                    first = first == null ? answer : first;
                    last = answer;
                    count++;
                } else if (first != null) {
                    outages.add(new Outage(path, first.sentNanos(), last.answeredNanos(), count));
                    first = null;
                    count = 0;
                }
            }
            if (first != null) {
                outages.add(new Outage(path, first.sentNanos(), last.answeredNanos(), count));
            }
        }
        return outages;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(120_000);
    }
}

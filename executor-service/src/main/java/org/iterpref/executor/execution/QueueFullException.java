package org.iterpref.executor.execution;

/** Every worker is busy and the queue is full: the client should retry after a while (429). */
public class QueueFullException extends RuntimeException {

    private final long retryAfterSeconds;

    public QueueFullException(int requested, int capacity, long retryAfterSeconds) {
        super("The execution queue is full: " + requested + " execution(s) requested, room for " + capacity
                + " now. Retry after " + retryAfterSeconds + " s.");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}

package org.iterpref.generator.pair;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The export's pairs, read from the database on a thread of their own at most {@value #BATCHES_AHEAD}
 * batches of {@value #BATCH} pairs ahead of the writer. Read in the writer's thread, PostgreSQL and the
 * driver sat idle while a fetch's rows were serialised and sent, and the writer sat idle during each
 * fetch (about as long as the writing itself); ahead of it, the two overlap. Memory stays bounded:
 * the queue, one batch being filled and one being written, besides the driver's fetch.
 */
final class PrefetchedPairs implements AutoCloseable {

    static final int BATCH = 256;
    static final int BATCHES_AHEAD = 4;
    private static final List<ExportedPair> END = List.of();

    private final BlockingQueue<List<ExportedPair>> batches = new ArrayBlockingQueue<>(BATCHES_AHEAD);
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final Thread reader;
    private volatile boolean closed;
    /** The batch the reader is filling (the reader's own). */
    private List<ExportedPair> filling = new ArrayList<>(BATCH);

    PrefetchedPairs(PairRepository pairs, PairRepository.Filter filter) {
        this.reader = new Thread(() -> read(pairs, filter), "pair-export-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Hands every pair to {@code sink} in id order, then throws what reading them threw, if anything. */
    void forEach(Consumer<ExportedPair> sink) {
        try {
            for (List<ExportedPair> batch = batches.take(); batch != END; batch = batches.take()) {
                batch.forEach(sink);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the pairs", e);
        }
        RuntimeException failed = failure.get();
        if (failed != null) {
            throw failed;
        }
    }

    private void read(PairRepository pairs, PairRepository.Filter filter) {
        try {
            pairs.forEach(filter, pair -> {
                filling.add(pair);
                if (filling.size() == BATCH) {
                    hand(filling);
                    filling = new ArrayList<>(BATCH);
                }
            });
            if (!filling.isEmpty()) {
                hand(filling);
            }
        } catch (Abandoned e) {
            return;
        } catch (RuntimeException e) {
            failure.set(e);
        }
        try {
            hand(END);
        } catch (Abandoned e) {
            // the writer is gone: nobody waits for the end
        }
    }

    /** Queues a batch, waiting while the writer is behind; gives up once the writer has closed. */
    private void hand(List<ExportedPair> batch) {
        try {
            while (!batches.offer(batch, 100, TimeUnit.MILLISECONDS)) {
                if (closed) {
                    throw new Abandoned();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Abandoned();
        }
    }

    /** Stops the reader (its transaction rolls back and its connection returns to the pool) and waits for it. */
    @Override
    public void close() {
        closed = true;
        batches.clear();
        try {
            reader.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The writer stopped taking pairs: the reader ends its query. */
    private static final class Abandoned extends RuntimeException {

        Abandoned() {
            super(null, null, false, false);
        }
    }
}

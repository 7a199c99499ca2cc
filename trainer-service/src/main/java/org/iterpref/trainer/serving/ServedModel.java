package org.iterpref.trainer.serving;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model {@link ModelRegistry} serves and what it holds: counted holds (one for being served,
 * one per request lease), freed once retired and no lease is left.
 */
final class ServedModel {

    private static final Logger log = LoggerFactory.getLogger(ServedModel.class);

    /** How a model came to be served. */
    enum Source {
        CONFIGURATION("configuration"), API("api"), FINE_TUNING("fine-tuning");

        final String label;

        Source(String label) {
            this.label = label;
        }
    }

    final LoadedModel loaded;
    final NDManager manager;
    final Path tempDir;
    final Path directory;
    final Source source;
    /** Leases plus one for being served; 0 means freed. */
    private final AtomicInteger holds = new AtomicInteger(1);
    private final AtomicBoolean retired = new AtomicBoolean();
    private final AtomicBoolean freed = new AtomicBoolean();
    volatile long lastUsed = System.nanoTime();

    ServedModel(LoadedModel loaded, NDManager manager, Path tempDir, Path directory, Source source) {
        this.loaded = loaded;
        this.manager = manager;
        this.tempDir = tempDir;
        this.directory = directory;
        this.source = source;
    }

    boolean retain() {
        while (true) {
            int current = holds.get();
            if (current == 0) {
                return false;
            }
            if (holds.compareAndSet(current, current + 1)) {
                lastUsed = System.nanoTime();
                return true;
            }
        }
    }

    /** Served and held by no request. */
    boolean idle() {
        return holds.get() == 1 && !retired.get();
    }

    void release() {
        if (holds.decrementAndGet() == 0) {
            free();
        }
    }

    void retire() {
        if (retired.compareAndSet(false, true)) {
            release();
        }
    }

    void free() {
        holds.set(0);
        if (!freed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(loaded.tokenizer());
        closeQuietly(manager);
        deleteTree(tempDir);
        log.info("model '{}' freed", loaded.name());
    }

    static void closeQuietly(AutoCloseable resource) {
        if (resource != null) {
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("closing a model resource failed", e);
            }
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("cannot remove {}", dir, e);
        }
    }
}

package org.iterpref.generator.pair;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.iterpref.generator.config.GeneratorProperties;
import org.springframework.stereotype.Component;

/**
 * How many pair exports this instance streams at once ({@code iterpref.generator.max-concurrent-exports}).
 * Each export holds a database connection and a reader thread for as long as its client reads: without
 * a cap, enough slow clients would take every pooled connection from the job workers.
 */
@Component
class ExportSlots {

    private final int capacity;
    private final Semaphore free;

    ExportSlots(GeneratorProperties properties, MeterRegistry meters) {
        this.capacity = properties.maxConcurrentExports();
        this.free = new Semaphore(capacity);
        Gauge.builder("iterpref.generator.pair.exports.active", free, s -> capacity - s.availablePermits())
                .description("Pair exports streaming now").register(meters);
    }

    int capacity() {
        return capacity;
    }

    /** A slot, or empty when every slot is taken. */
    Optional<Slot> tryTake() {
        return free.tryAcquire() ? Optional.of(new Slot()) : Optional.empty();
    }

    /** A taken slot; closing it (once, however often it is called) gives it back. */
    final class Slot implements AutoCloseable {

        private final AtomicBoolean open = new AtomicBoolean(true);

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                free.release();
            }
        }
    }
}

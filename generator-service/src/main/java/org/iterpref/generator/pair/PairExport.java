package org.iterpref.generator.pair;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.core.exc.JacksonIOException;

/**
 * Writes every pair a filter serves ({@link PairRepository.Filter}) as TRL / Target-DPO JSONL, one
 * line per pair, streamed from a database cursor: memory does not grow with the number of pairs.
 *
 * <p>A failure after the first bytes (the database connection lost, a row that cannot be read) is
 * logged, counted ({@code iterpref.generator.pair.exports{outcome=failed}}) and thrown as
 * {@link PairExportFailedException}, so that the response is aborted rather than ended: a client
 * must never take a cut-off export for a complete one. A client that goes away is counted as
 * {@code outcome=abandoned}, not as a failure.
 */
@Component
class PairExport {

    private static final Logger log = LoggerFactory.getLogger(PairExport.class);

    private final PairRepository pairs;
    private final Counter completed;
    private final Counter failed;
    private final Counter abandoned;
    private final Counter exported;

    PairExport(PairRepository pairs, MeterRegistry meters) {
        this.pairs = pairs;
        this.completed = exports(meters, "completed");
        this.failed = exports(meters, "failed");
        this.abandoned = exports(meters, "abandoned");
        this.exported = Counter.builder("iterpref.generator.pairs.exported")
                .description("Pairs written by exports (failed ones included)").register(meters);
    }

    private static Counter exports(MeterRegistry meters, String outcome) {
        return Counter.builder("iterpref.generator.pair.exports").tag("outcome", outcome)
                .description("Pair exports by how they ended").register(meters);
    }

    /** Streams the pairs to {@code out}; throws {@link PairExportFailedException} when they cannot all be had. */
    void write(PairRepository.Filter filter, OutputStream out) throws IOException {
        long[] written = {0};
        try (PrefetchedPairs prefetched = new PrefetchedPairs(pairs, filter)) {
            TrlJsonlWriter lines = new TrlJsonlWriter(out);
            prefetched.forEach(pair -> {
                toClient(() -> lines.write(pair));
                written[0]++;
            });
            toClient(lines::finish);
        } catch (ClientGone e) {
            abandoned.increment();
            log.info("pair export abandoned by the client after {} pairs ({})", written[0], filter);
            throw e.getCause();
        } catch (RuntimeException e) {
            failed.increment();
            log.error("pair export failed after {} pairs ({}); aborting the response", written[0], filter, e);
            throw new PairExportFailedException(written[0], e);
        } finally {
            exported.increment(written[0]);
        }
        completed.increment();
    }

    private static void toClient(Runnable write) {
        try {
            write.run();
        } catch (JacksonIOException e) {
            throw new ClientGone(e.getCause());
        }
    }

    /** Writing to the response failed: the client closed the connection. */
    private static final class ClientGone extends RuntimeException {

        ClientGone(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }
}

package org.iterpref.generator.pair;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes every kept pair matching a filter as TRL / Target-DPO JSONL, one line per pair, streamed
 * from a database cursor: memory does not grow with the number of pairs.
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
    private final JsonMapper json;
    private final Counter completed;
    private final Counter failed;
    private final Counter abandoned;
    private final Counter exported;

    PairExport(PairRepository pairs, JsonMapper json, MeterRegistry meters) {
        this.pairs = pairs;
        this.json = json;
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
        try {
            Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            pairs.forEach(filter, pair -> {
                writeLine(writer, pair);
                written[0]++;
            });
            writer.flush();
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

    private void writeLine(Writer writer, PreferencePair pair) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("prompt", pair.prompt());
        line.put("chosen", pair.chosen());
        line.put("rejected", pair.rejected());
        line.put("error_spans", pair.errorSpans());
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("id", pair.id());
        metadata.put("origin", pair.origin().toLowerCase());
        metadata.put("task_set", pair.taskSet());
        metadata.put("run_id", pair.runId());
        metadata.put("trajectory_id", pair.trajectoryId());
        metadata.put("task_id", pair.taskId());
        metadata.put("chosen_iteration", pair.chosenIteration());
        metadata.put("rejected_iteration", pair.rejectedIteration());
        metadata.put("region_lines", pair.regionLines());
        metadata.put("rejected_lines", pair.rejectedLines());
        metadata.put("synthetic", pair.synthetic());
        metadata.put("already_stored", pair.alreadyStored());
        line.put("metadata", metadata);
        String text = json.writeValueAsString(line);
        try {
            writer.write(text);
            writer.write('\n');
        } catch (IOException e) {
            throw new ClientGone(e);
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

package org.iterpref.trainer.serving;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Generation metrics ({@code trainer.generation.*}, tagged by model) and one log line per
 * completion with its rate; cancelled generations (the client went away) are counted, not logged
 * as failures.
 */
@Component
public class GenerationMetrics {

    private static final Logger log = LoggerFactory.getLogger(GenerationMetrics.class);
    private final MeterRegistry meters;

    public GenerationMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    /** Runs one generation, timing it and counting its tokens. */
    Generation.Outcome time(String model, Supplier<Generation.Outcome> generation) {
        long start = System.nanoTime();
        try {
            Generation.Outcome outcome = generation.get();
            long nanos = System.nanoTime() - start;
            Timer.builder("trainer.generation.duration").tag("model", model).register(meters)
                    .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
            Counter.builder("trainer.generation.tokens").tag("model", model).register(meters)
                    .increment(outcome.completionTokens());
            log.debug("model {}: {} tokens in {} ms ({} tokens/s), finish {}", model, outcome.completionTokens(),
                    nanos / 1_000_000, String.format("%.1f", outcome.completionTokens() * 1e9 / Math.max(1, nanos)),
                    outcome.finishReason());
            return outcome;
        } catch (Generation.CancelledException | UncheckedIOException e) {
            cancelled(model);
            throw e;
        }
    }

    /** Counts a generation stopped because its client went away. */
    void cancelled(String model) {
        Counter.builder("trainer.generation.cancelled").tag("model", model).register(meters).increment();
        log.info("model {}: client went away, generation stopped", model);
    }

    /**
     * A streamed response ended by an exception: a client that went away is already counted; any
     * other failure is logged and, if the stream still takes writes, reported as an OpenAI error event.
     */
    void streamFailed(String model, RuntimeException failure, OutputStream out, JsonMapper json) {
        if (failure instanceof UncheckedIOException || failure instanceof Generation.CancelledException) {
            return;
        }
        log.error("model {}: streamed completion failed", model, failure);
        try {
            SseWriter sse = new SseWriter(out, json);
            sse.send(OpenAiErrorHandler.error("The server had an error while processing your request; "
                    + "the failure is logged.", "server_error", null, null));
            sse.done();
        } catch (UncheckedIOException ignored) {
            // the client is gone too
        }
    }
}

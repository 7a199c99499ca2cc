package org.iterpref.trainer.serving;

import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import tools.jackson.databind.json.JsonMapper;

/**
 * The life of one completion request, whole or streamed: lease the model, prepare the call
 * (validation that needs the model: prompt, template, context), wait for a slot, generate. For a
 * stream everything up to the slot happens before the response starts, so those errors are
 * ordinary JSON; the lease and the slot are then held until the stream ends or its client goes away.
 */
@Component
class RequestRunner {

    private final ModelRegistry registry;
    private final ConcurrencyLimiter limiter;
    private final JsonMapper json;
    private final GenerationMetrics metrics;

    RequestRunner(ModelRegistry registry, ConcurrencyLimiter limiter, JsonMapper json, GenerationMetrics metrics) {
        this.registry = registry;
        this.limiter = limiter;
        this.json = json;
        this.metrics = metrics;
    }

    /** Runs {@code respond} on the prepared call while holding the model and a slot. */
    <C> Map<String, Object> whole(String model, Function<LoadedModel, C> prepare,
                                  Function<C, Map<String, Object>> respond) {
        try (ModelRegistry.Lease lease = registry.lease(model)) {
            C call = prepare.apply(lease.model());
            try (ConcurrencyLimiter.Permit permit = limiter.acquire()) {
                return respond.apply(call);
            }
        }
    }

    /** A Server-Sent Events body in which {@code send} writes the prepared call's chunks; ends with [DONE]. */
    <C> StreamingResponseBody stream(String model, Function<LoadedModel, C> prepare, BiConsumer<C, SseWriter> send) {
        ModelRegistry.Lease lease = registry.lease(model);
        C call;
        ConcurrencyLimiter.Permit permit;
        try {
            call = prepare.apply(lease.model());
            permit = limiter.acquire();
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
        String name = lease.model().name();
        return out -> {
            try (lease; permit) {
                SseWriter sse = new SseWriter(out, json);
                send.accept(call, sse);
                sse.done();
            } catch (RuntimeException e) {
                metrics.streamFailed(name, e, out, json);
            }
        };
    }
}

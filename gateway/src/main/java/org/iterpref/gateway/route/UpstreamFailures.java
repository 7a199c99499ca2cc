package org.iterpref.gateway.route;

import io.micrometer.core.instrument.MeterRegistry;
import org.iterpref.gateway.error.ErrorResponses;
import org.iterpref.gateway.error.GatewayError;
import org.iterpref.gateway.request.PathGuardFilter;
import org.iterpref.gateway.request.RequestSizeFilter;
import org.iterpref.web.RequestBodyTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * What a route answers when proxying fails: 413 when the client's streamed body outgrew its cap,
 * 502 when the service could not be reached or broke off (logged, never shown).
 */
@Component
class UpstreamFailures {

    private static final Logger log = LoggerFactory.getLogger(UpstreamFailures.class);

    private final ErrorResponses errors;
    private final MeterRegistry meters;

    UpstreamFailures(ErrorResponses errors, MeterRegistry meters) {
        this.errors = errors;
        this.meters = meters;
    }

    ServerResponse answer(Upstream upstream, Throwable failure, ServerRequest request) {
        String path = PathGuardFilter.path(request.servletRequest());
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RequestBodyTooLargeException) {
                return errors.response(path, GatewayError.tooLarge(RequestSizeFilter.limit(request.servletRequest())));
            }
        }
        meters.counter("iterpref.gateway.upstream.failures", "service", upstream.serviceName()).increment();
        log.warn("{} {} to the {} failed: {}", request.method(), path, upstream.serviceName(), failure.toString());
        return errors.response(path, GatewayError.upstreamUnavailable(upstream.serviceName()));
    }

}

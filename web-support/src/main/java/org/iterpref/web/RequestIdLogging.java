package org.iterpref.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Enumeration;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A service's end of the gateway's request ids: the caller's {@code X-Request-Id} when it is one
 * sane value (1-128 of {@code [A-Za-z0-9._:-]}, as the gateway makes them), else a fresh UUID, goes
 * into the MDC as {@code requestId} (the services' log pattern prints it on every line of the
 * request), back on the response, and, through {@link #current()}, onto the calls the service
 * makes to another service while serving it. Registered first, it clears its MDC entry after.
 * Work a request hands to another thread carries the MDC itself ({@link #carry}).
 */
public final class RequestIdLogging extends OncePerRequestFilter {

    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "requestId";
    private static final String ATTRIBUTE = RequestIdLogging.class.getName() + ".id";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        // an async dispatch of the same request (a controller's CompletableFuture) keeps the first id
        String id = request.getAttribute(ATTRIBUTE) instanceof String kept ? kept
                : sane(request.getHeaders(HEADER)).orElseGet(() -> UUID.randomUUID().toString());
        request.setAttribute(ATTRIBUTE, id);
        response.setHeader(HEADER, id);
        String outer = MDC.get(MDC_KEY);
        MDC.put(MDC_KEY, id);
        try {
            chain.doFilter(request, response);
        } finally {
            if (outer == null) {
                MDC.remove(MDC_KEY);
            } else {
                MDC.put(MDC_KEY, outer);
            }
        }
    }

    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }

    /** The id of the request this thread serves, to pass on downstream; empty outside a request. */
    public static Optional<String> current() {
        String id = MDC.get(MDC_KEY);
        return id != null && SANE.matcher(id).matches() ? Optional.of(id) : Optional.empty();
    }

    /**
     * {@code work} wrapped to run with the calling thread's MDC (its request id, run id, ...), for a
     * callback another thread runs, such as an HTTP client's completion stage.
     */
    public static <T, U, R> BiFunction<T, U, R> carry(BiFunction<T, U, R> work) {
        Map<String, String> context = MDC.getCopyOfContextMap();
        return (t, u) -> {
            Map<String, String> previous = MDC.getCopyOfContextMap();
            if (context == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(context);
            }
            try {
                return work.apply(t, u);
            } finally {
                if (previous == null) {
                    MDC.clear();
                } else {
                    MDC.setContextMap(previous);
                }
            }
        };
    }

    /** The one sane value among a request's {@code X-Request-Id} headers, if there is exactly one. */
    public static Optional<String> sane(Enumeration<String> values) {
        if (values == null || !values.hasMoreElements()) {
            return Optional.empty();
        }
        String first = values.nextElement();
        return !values.hasMoreElements() && first != null && SANE.matcher(first).matches()
                ? Optional.of(first) : Optional.empty();
    }
}

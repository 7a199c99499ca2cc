package org.iterpref.gateway.request;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import org.iterpref.web.RequestIdLogging;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request an id: the client's {@code X-Request-Id} when it is sane (1-128 of
 * {@code [A-Za-z0-9._:-]}), else a fresh UUID. The id goes into the MDC (every log line of the
 * request), the response, and, through {@code route.DownstreamHeaders}, to the service behind.
 * Being outermost, it also writes the request's access line (method, path, status, time; never
 * the query, which may carry anything) and clears the request's MDC entries.
 */
public final class RequestIdFilter extends OncePerRequestFilter {

    public static final String HEADER = RequestIdLogging.HEADER;
    public static final String ATTRIBUTE = RequestIdFilter.class.getName() + ".id";
    public static final String MDC_KEY = "requestId";
    /** Where the API key filter leaves the key's id; cleared here, after the access line. */
    public static final String KEY_ID_MDC_KEY = "keyId";
    private static final Logger log = LoggerFactory.getLogger("org.iterpref.gateway.access");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String id = requestId(request);
        request.setAttribute(ATTRIBUTE, id);
        response.setHeader(HEADER, id);
        MDC.put(MDC_KEY, id);
        long start = System.nanoTime();
        try {
            chain.doFilter(request, response);
        } finally {
            log.info("{} {} {} {} ms", request.getMethod(), PathGuardFilter.path(request), response.getStatus(),
                    (System.nanoTime() - start) / 1_000_000);
            MDC.remove(MDC_KEY);
            MDC.remove(KEY_ID_MDC_KEY);
        }
    }

    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }

    static String requestId(HttpServletRequest request) {
        // the services' rule (RequestIdLogging), so an id the gateway passes on is one they keep
        return RequestIdLogging.sane(request.getHeaders(HEADER)).orElseGet(() -> UUID.randomUUID().toString());
    }

    /** The id of the request being served. */
    public static String of(HttpServletRequest request) {
        Object id = request.getAttribute(ATTRIBUTE);
        return id == null ? "" : id.toString();
    }
}

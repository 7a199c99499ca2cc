package org.iterpref.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses bodies over the configured size with 413 problem+json: at once when Content-Length
 * says so, or as soon as a chunked body passes the cap while it is read. Paths that stream their
 * body under a cap of their own (an import) can be left to it.
 */
public final class RequestSizeLimitFilter extends OncePerRequestFilter {

    private final long maxBytes;
    private final java.util.Set<String> exemptPaths;

    public RequestSizeLimitFilter(long maxBytes) {
        this(maxBytes, java.util.Set.of());
    }

    public RequestSizeLimitFilter(long maxBytes, java.util.Set<String> exemptPaths) {
        this.maxBytes = maxBytes;
        this.exemptPaths = java.util.Set.copyOf(exemptPaths);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return exemptPaths.contains(request.getRequestURI());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > maxBytes) {
            response.setStatus(HttpStatus.CONTENT_TOO_LARGE.value());
            response.setContentType("application/problem+json");
            response.setHeader("Connection", "close");
            String body = "{\"type\":\"about:blank\",\"title\":\"Content Too Large\",\"status\":413,"
                    + "\"detail\":\"The request body is larger than " + maxBytes + " bytes.\",\"field\":\"body\","
                    + "\"errors\":[{\"field\":\"body\",\"message\":\"larger than " + maxBytes + " bytes\"}]}";
            response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
            return;
        }
        chain.doFilter(new CappedRequest(request, maxBytes), response);
    }
}

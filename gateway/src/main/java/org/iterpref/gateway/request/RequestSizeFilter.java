package org.iterpref.gateway.request;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.iterpref.gateway.config.GatewayProperties;
import org.iterpref.gateway.error.ErrorResponses;
import org.iterpref.gateway.error.GatewayError;
import org.iterpref.web.CappedRequest;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps request bodies: 413 at once when Content-Length is over the cap, and a chunked body that
 * grows past it fails while it is streamed upstream (the route answers 413 then). Upload paths
 * get the larger upload cap.
 */
public final class RequestSizeFilter extends OncePerRequestFilter {

    private static final String LIMIT_ATTRIBUTE = RequestSizeFilter.class.getName() + ".limit";

    private final GatewayProperties.RequestSize limits;
    private final ErrorResponses errors;

    public RequestSizeFilter(GatewayProperties.RequestSize limits, ErrorResponses errors) {
        this.limits = limits;
        this.errors = errors;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = PathGuardFilter.path(request);
        long max = limits.uploadPaths().contains(path) ? limits.maxUploadBytes() : limits.maxBytes();
        request.setAttribute(LIMIT_ATTRIBUTE, max);
        if (request.getContentLengthLong() > max) {
            response.setHeader("Connection", "close");
            errors.write(path, response, GatewayError.tooLarge(max));
            return;
        }
        chain.doFilter(new CappedRequest(request, max), response);
    }

    /** The body cap that applies to this request. */
    public static long limit(HttpServletRequest request) {
        return request.getAttribute(LIMIT_ATTRIBUTE) instanceof Long max ? max : 0;
    }
}

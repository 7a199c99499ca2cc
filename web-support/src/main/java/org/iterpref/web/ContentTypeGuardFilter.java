package org.iterpref.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * 415 for a Content-Type that is no media type or a wildcard ({@code *}/{@code *},
 * {@code application/*}): Spring cannot even build its view of such a request, and a controller
 * reading the body failed with a 500.
 */
public class ContentTypeGuardFilter extends OncePerRequestFilter {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final ErrorBodies bodies;

    public ContentTypeGuardFilter(ErrorBodies bodies) {
        this.bodies = bodies;
    }

    /** Whether {@code contentType} names one media type: parseable, no wildcard. */
    public static boolean isConcrete(String contentType) {
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            return !type.isWildcardType() && !type.isWildcardSubtype();
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String contentType = request.getContentType();
        if (contentType == null || isConcrete(contentType)) {
            chain.doFilter(request, response);
            return;
        }
        String path = request.getRequestURI();
        response.setStatus(415);
        response.setContentType(bodies.isOpenAiPath(path) ? "application/json" : "application/problem+json");
        response.getOutputStream().write(JSON.writeValueAsBytes(bodies.body(path, 415, "Unsupported media type",
                "The Content-Type must be one media type, without wildcards.", "Content-Type")));
    }
}

package org.iterpref.gateway.request;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.iterpref.gateway.error.ErrorResponses;
import org.iterpref.gateway.error.GatewayError;
import org.iterpref.web.ContentTypeGuardFilter;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses (415) a Content-Type that is no media type or a wildcard ({@code *}/{@code *},
 * {@code application/*}): a request must say what its body is, and the router cannot even read
 * such a request (it failed with a 500).
 */
public final class ContentTypeFilter extends OncePerRequestFilter {

    private final ErrorResponses errors;

    public ContentTypeFilter(ErrorResponses errors) {
        this.errors = errors;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String contentType = request.getContentType();
        if (contentType != null && !ContentTypeGuardFilter.isConcrete(contentType)) {
            errors.write(PathGuardFilter.path(request), response, GatewayError.unsupportedMediaType());
            return;
        }
        chain.doFilter(request, response);
    }
}

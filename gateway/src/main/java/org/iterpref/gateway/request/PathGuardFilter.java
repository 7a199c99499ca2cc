package org.iterpref.gateway.request;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.iterpref.gateway.error.ErrorResponses;
import org.iterpref.gateway.error.GatewayError;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UriUtils;

/**
 * Refuses (400) paths that could mean one thing to the scope check and another to the router:
 * dot segments, path parameters, empty segments, backslashes, and encoded dots, slashes,
 * backslashes, percent signs or NULs; and paths with characters a URI may not hold raw, or a
 * query Tomcat cannot parse (both made the route fail with a 500 or a 502). What is left decodes to exactly one path, which the later
 * filters read from {@link #path(HttpServletRequest)}.
 */
public final class PathGuardFilter extends OncePerRequestFilter {

    public static final String ATTRIBUTE = PathGuardFilter.class.getName() + ".path";

    private final ErrorResponses errors;

    public PathGuardFilter(ErrorResponses errors) {
        this.errors = errors;
    }

    /** The request's decoded path, once this filter has let it through. */
    public static String path(HttpServletRequest request) {
        Object path = request.getAttribute(ATTRIBUTE);
        return path == null ? request.getRequestURI() : path.toString();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String raw = request.getRequestURI();
        String decoded = isSuspicious(raw) || !isPlainQuery(request.getQueryString()) ? null : decode(raw);
        if (decoded == null) {
            errors.write(raw.startsWith("/v1/") ? "/v1/" : "/", response, GatewayError.badPath());
            return;
        }
        request.setAttribute(ATTRIBUTE, decoded);
        chain.doFilter(request, response);
    }

    static boolean isSuspicious(String rawUri) {
        String lower = rawUri.toLowerCase(Locale.ROOT);
        return !lower.startsWith("/") || !lower.chars().allMatch(PathGuardFilter::isPathChar) || lower.contains("..") || lower.contains(";") || lower.contains("//")
                || lower.contains("\\") || lower.contains("%2e") || lower.contains("%2f") || lower.contains("%5c")
                || lower.contains("%25") || lower.contains("%00");
    }

    /** RFC 3986 path characters (what is not must be percent-encoded): anything else fails the upstream URI. */
    private static boolean isPathChar(int c) {
        return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || "-._~%!$&'()*+,;=:@/".indexOf(c) >= 0;
    }

    /** A query Tomcat can read: no parameter without a name ({@code ?=1}), every escape complete. */
    static boolean isPlainQuery(String query) {
        if (query == null) {
            return true;
        }
        for (String chunk : query.split("&", -1)) {
            if (chunk.startsWith("=")) {
                return false;
            }
        }
        try {
            UriUtils.decode(query, StandardCharsets.UTF_8);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String decode(String raw) {
        try {
            String decoded = UriUtils.decode(raw, StandardCharsets.UTF_8);
            // braces are URI template variables to the router, which failed on them with a 500
            return decoded.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '{' || c == '}') ? null : decoded;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

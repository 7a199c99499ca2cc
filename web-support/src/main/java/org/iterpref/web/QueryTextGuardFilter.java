package org.iterpref.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * 400 for a query parameter whose name or value holds a NUL ({@code %00}) or does not decode: no
 * query of ours can mean one, and a NUL that reaches a PostgreSQL filter (a list's {@code model=})
 * failed the whole statement with a 500. The problem names the parameter when its name is sane.
 */
public class QueryTextGuardFilter extends OncePerRequestFilter {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern SANE_NAME = Pattern.compile("[A-Za-z0-9_.\\[\\]-]{1,64}");
    private final ErrorBodies bodies;

    public QueryTextGuardFilter(ErrorBodies bodies) {
        this.bodies = bodies;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String query = request.getQueryString();
        String bad = query == null ? null : badParameter(query);
        if (bad == null) {
            chain.doFilter(request, response);
            return;
        }
        String path = request.getRequestURI();
        response.setStatus(400);
        response.setContentType(bodies.isOpenAiPath(path) ? "application/json" : "application/problem+json");
        response.getOutputStream().write(JSON.writeValueAsBytes(bodies.body(path, 400, "Invalid request",
                "Query parameter '" + bad + "' holds a NUL character or an invalid %-escape.", bad)));
    }

    /** The first parameter (its name, or "query") with a NUL or an undecodable escape; null when none. */
    static String badParameter(String query) {
        for (String part : query.split("&", -1)) {
            int eq = part.indexOf('=');
            String rawName = eq < 0 ? part : part.substring(0, eq);
            String name;
            String value;
            try {
                name = URLDecoder.decode(rawName, StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return label(rawName);
            }
            if (name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
                return label(name);
            }
        }
        return null;
    }

    private static String label(String name) {
        return SANE_NAME.matcher(name).matches() ? name : "query";
    }
}

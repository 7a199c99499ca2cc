package org.iterpref.gateway.auth;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.iterpref.gateway.error.ErrorResponses;
import org.iterpref.gateway.error.GatewayError;
import org.iterpref.gateway.key.ApiKey;
import org.iterpref.gateway.key.ApiKeys;
import org.iterpref.gateway.key.KeySecrets;
import org.iterpref.gateway.key.Scope;
import org.iterpref.gateway.request.PathGuardFilter;
import org.iterpref.gateway.request.RequestIdFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.dao.DataAccessException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Lets a request through only with a valid, unrevoked key that has the scope the request needs
 * (401 otherwise, 403 for a missing scope). The key is looked up by its SHA-256; it is never
 * logged. The authenticated key is left in a request attribute for the rate limiter and the
 * downstream headers, and its id in the MDC (cleared by {@link RequestIdFilter}).
 */
public final class ApiKeyFilter extends OncePerRequestFilter {

    public static final String ATTRIBUTE = ApiKeyFilter.class.getName() + ".key";
    private static final Logger log = LoggerFactory.getLogger(ApiKeyFilter.class);

    private final ApiKeys keys;
    private final KeySecrets secrets;
    private final ErrorResponses errors;
    private final MeterRegistry meters;

    public ApiKeyFilter(ApiKeys keys, KeySecrets secrets, ErrorResponses errors, MeterRegistry meters) {
        this.keys = keys;
        this.secrets = secrets;
        this.errors = errors;
        this.meters = meters;
    }

    /** The key that authenticated this request. */
    public static Optional<ApiKey> of(HttpServletRequest request) {
        return Optional.ofNullable((ApiKey) request.getAttribute(ATTRIBUTE));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = PathGuardFilter.path(request);
        if (RequiredScopes.isOpen(path)) {
            chain.doFilter(request, response);
            return;
        }
        List<String> presented = Credentials.presented(request);
        if (presented.isEmpty()) {
            unauthorized(path, response, "No API key: send 'Authorization: Bearer KEY' or 'X-API-Key: KEY'.",
                    "missing");
            return;
        }
        if (presented.stream().distinct().count() > 1) {
            unauthorized(path, response, "More than one API key was sent.", "ambiguous");
            return;
        }
        Optional<ApiKey> key;
        try {
            key = lookUp(presented.get(0));
        } catch (DataAccessException e) {
            log.error("cannot look up an API key: {}", e.toString());
            response.setHeader("Retry-After", "5");
            reject(path, response, GatewayError.keyStoreUnavailable(), "key_store_unavailable");
            return;
        }
        if (key.isEmpty()) {
            unauthorized(path, response, "The API key is not valid or has been revoked.", "invalid");
            return;
        }
        MDC.put(RequestIdFilter.KEY_ID_MDC_KEY, key.get().id().toString());
        Scope required = RequiredScopes.requiredFor(request.getMethod(), path);
        if (!key.get().allows(required)) {
            log.info("key lacks scope {} for {} {}", required.wireName(), request.getMethod(), path);
            reject(path, response, GatewayError.forbidden(
                    "This API key lacks the '" + required.wireName() + "' scope this request needs."), "scope");
            return;
        }
        request.setAttribute(ATTRIBUTE, key.get());
        chain.doFilter(request, response);
    }

    /** Fails closed: when the key table cannot be read, no request gets through. */
    private Optional<ApiKey> lookUp(String presentedKey) {
        return presentedKey.isEmpty() || presentedKey.length() > KeySecrets.MAX_KEY_LENGTH
                ? Optional.empty() : keys.findActiveByHash(secrets.hash(presentedKey));
    }

    private void unauthorized(String path, HttpServletResponse response, String detail, String reason)
            throws IOException {
        response.setHeader("WWW-Authenticate", "Bearer");
        reject(path, response, GatewayError.unauthorized(detail), reason);
    }

    private void reject(String path, HttpServletResponse response, GatewayError error, String reason)
            throws IOException {
        meters.counter("iterpref.gateway.auth.rejections", "reason", reason).increment();
        errors.write(path, response, error);
    }
}

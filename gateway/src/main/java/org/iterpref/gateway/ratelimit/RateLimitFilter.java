package org.iterpref.gateway.ratelimit;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.iterpref.gateway.auth.ApiKeyFilter;
import org.iterpref.gateway.config.GatewayProperties;
import org.iterpref.gateway.error.ErrorResponses;
import org.iterpref.gateway.error.GatewayError;
import org.iterpref.gateway.key.ApiKey;
import org.iterpref.gateway.request.PathGuardFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * 429 with {@code Retry-After} once a key's bucket is empty; every authenticated request takes a
 * token. Fails closed (503) when the buckets cannot be reached.
 */
public final class RateLimitFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(RateLimitFilter.class);

    private final RateLimiter limiter;
    private final GatewayProperties.RateLimit defaults;
    private final ErrorResponses errors;
    private final MeterRegistry meters;

    public RateLimitFilter(RateLimiter limiter, GatewayProperties.RateLimit defaults, ErrorResponses errors,
                           MeterRegistry meters) {
        this.limiter = limiter;
        this.defaults = defaults;
        this.errors = errors;
        this.meters = meters;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        ApiKey key = ApiKeyFilter.of(request).orElse(null);
        if (key == null || !defaults.enabled()) {
            chain.doFilter(request, response);
            return;
        }
        Rate rate = Rate.of(key, defaults);
        RateDecision decision;
        try {
            decision = limiter.take(key.id(), rate);
        } catch (DataAccessException e) {
            log.error("cannot take a rate-limit token: {}", e.toString());
            response.setHeader("Retry-After", "5");
            errors.write(PathGuardFilter.path(request), response, GatewayError.keyStoreUnavailable());
            return;
        }
        response.setHeader("X-RateLimit-Limit", Integer.toString(rate.requestsPerMinute()));
        response.setHeader("X-RateLimit-Remaining", Long.toString((long) Math.floor(decision.tokensLeft())));
        if (!decision.granted()) {
            meters.counter("iterpref.gateway.ratelimit.rejections").increment();
            response.setHeader("Retry-After", Long.toString(decision.retryAfterSeconds()));
            errors.write(PathGuardFilter.path(request), response, GatewayError.tooManyRequests(
                    "This API key is over its rate of " + rate.requestsPerMinute() + " requests a minute; retry in "
                            + decision.retryAfterSeconds() + " s."));
            return;
        }
        chain.doFilter(request, response);
    }
}

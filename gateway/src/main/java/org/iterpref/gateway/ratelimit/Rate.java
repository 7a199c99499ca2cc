package org.iterpref.gateway.ratelimit;

import org.iterpref.gateway.config.GatewayProperties;
import org.iterpref.gateway.key.ApiKey;

/** A token bucket's shape: {@code burst} tokens at most, refilled at {@code requestsPerMinute}. */
public record Rate(int requestsPerMinute, int burst) {

    /** The key's own rate where it has one, else the default. */
    static Rate of(ApiKey key, GatewayProperties.RateLimit defaults) {
        return new Rate(key.requestsPerMinute() != null ? key.requestsPerMinute() : defaults.requestsPerMinute(),
                key.burst() != null ? key.burst() : defaults.burst());
    }

    double tokensPerSecond() {
        return requestsPerMinute / 60.0;
    }
}

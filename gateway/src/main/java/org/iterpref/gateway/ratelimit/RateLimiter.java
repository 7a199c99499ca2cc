package org.iterpref.gateway.ratelimit;

import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Token buckets in PostgreSQL, shared by every gateway replica on the database. One statement
 * refills a key's bucket for the time since its last refill and takes a token if there is one;
 * the row lock it holds makes concurrent requests, on any replica, queue for the bucket.
 * {@code clock_timestamp()} (not {@code now()}) because a statement that waited for the lock
 * must refill up to when it runs.
 */
@Component
public class RateLimiter {

    private static final String AVAILABLE = "least(?, b.tokens + greatest(0, extract(epoch from clock_timestamp()"
            + " - b.refilled_at)) * ?)";
    private static final String TAKE = "insert into rate_limit_buckets as b (key_id, tokens, granted, refilled_at)"
            + " values (?, ? - 1, true, clock_timestamp())"
            + " on conflict (key_id) do update set"
            + " granted = " + AVAILABLE + " >= 1,"
            + " tokens = case when " + AVAILABLE + " >= 1 then " + AVAILABLE + " - 1 else " + AVAILABLE + " end,"
            + " refilled_at = clock_timestamp()"
            + " returning granted, tokens";

    private final JdbcTemplate jdbc;

    public RateLimiter(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public RateDecision take(UUID keyId, Rate rate) {
        double perSecond = rate.tokensPerSecond();
        double burst = rate.burst();
        return jdbc.queryForObject(TAKE, (rs, n) -> {
            boolean granted = rs.getBoolean("granted");
            double tokens = rs.getDouble("tokens");
            long retryAfter = granted ? 0 : Math.max(1, (long) Math.ceil((1 - tokens) / perSecond));
            return new RateDecision(granted, tokens, retryAfter);
        }, keyId, burst, burst, perSecond, burst, perSecond, burst, perSecond, burst, perSecond);
    }
}

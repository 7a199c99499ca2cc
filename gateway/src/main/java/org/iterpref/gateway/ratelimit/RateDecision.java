package org.iterpref.gateway.ratelimit;

/** Whether a request may pass, and when the next token comes when it may not. */
public record RateDecision(boolean granted, double tokensLeft, long retryAfterSeconds) {
}

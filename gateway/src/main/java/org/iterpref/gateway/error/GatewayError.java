package org.iterpref.gateway.error;

import org.springframework.http.HttpStatus;

/**
 * An answer the gateway gives itself. {@code title} and {@code field} make the problem+json;
 * {@code openAiType} and {@code openAiCode} make OpenAI's error object on {@code /v1/**}.
 */
public record GatewayError(HttpStatus status, String title, String detail, String field, String openAiType,
                           String openAiCode) {

    public static GatewayError unauthorized(String detail) {
        return new GatewayError(HttpStatus.UNAUTHORIZED, "Unauthorized", detail, null, "invalid_request_error",
                "invalid_api_key");
    }

    public static GatewayError forbidden(String detail) {
        return new GatewayError(HttpStatus.FORBIDDEN, "Forbidden", detail, null, "permission_error",
                "insufficient_scope");
    }

    public static GatewayError tooManyRequests(String detail) {
        return new GatewayError(HttpStatus.TOO_MANY_REQUESTS, "Too many requests", detail, null, "rate_limit_error",
                "rate_limit_exceeded");
    }

    public static GatewayError tooLarge(long maxBytes) {
        return new GatewayError(HttpStatus.CONTENT_TOO_LARGE, "Content too large",
                "The request body is larger than " + maxBytes + " bytes.", "body", "invalid_request_error",
                "request_too_large");
    }

    public static GatewayError badPath() {
        return new GatewayError(HttpStatus.BAD_REQUEST, "Invalid request",
                "The request path may not contain '..', ';', '//', backslashes or encoded dots and slashes.",
                "path", "invalid_request_error", "invalid_path");
    }

    public static GatewayError unsupportedMediaType() {
        return new GatewayError(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type",
                "The Content-Type must be one media type, without wildcards.", "Content-Type",
                "invalid_request_error", "unsupported_media_type");
    }

    public static GatewayError keyStoreUnavailable() {
        return new GatewayError(HttpStatus.SERVICE_UNAVAILABLE, "Service unavailable",
                "The gateway cannot check API keys right now; retry shortly.", null, "api_error",
                "key_store_unavailable");
    }

    public static GatewayError upstreamUnavailable(String service) {
        return new GatewayError(HttpStatus.BAD_GATEWAY, "Bad gateway",
                "The " + service + " service did not answer.", null, "api_error", "upstream_unavailable");
    }
}

package org.iterpref.gateway.auth;

import java.util.Set;
import org.iterpref.gateway.key.Scope;

/**
 * Which scope a request needs. Reading (GET, HEAD) needs {@code read}; changing generator
 * resources ({@code /api/**}, executions included) needs {@code submit}; changing the trainer's
 * OpenAI-compatible surface ({@code /v1/**}: completions, files, fine-tuning jobs) needs
 * {@code train}, except registering and deleting models, which needs {@code admin}, as does
 * everything under {@code /admin}. Health probes, Prometheus and the API docs are open.
 */
public final class RequiredScopes {

    private static final Set<String> OPEN_PATHS = Set.of("/actuator/health", "/actuator/prometheus",
            "/actuator/info", "/v3/api-docs", "/swagger-ui.html");
    private static final Set<String> OPEN_PREFIXES = Set.of("/actuator/health/", "/v3/api-docs/", "/swagger-ui/");

    private RequiredScopes() {
    }

    public static boolean isOpen(String path) {
        return OPEN_PATHS.contains(path) || OPEN_PREFIXES.stream().anyMatch(path::startsWith);
    }

    public static Scope requiredFor(String method, String path) {
        if (path.equals("/admin") || path.startsWith("/admin/") || path.startsWith("/actuator")) {
            return Scope.ADMIN;
        }
        boolean reading = method.equals("GET") || method.equals("HEAD");
        if (path.equals("/v1/models") || path.startsWith("/v1/models/")) {
            return reading ? Scope.READ : Scope.ADMIN;
        }
        if (reading) {
            return Scope.READ;
        }
        if (path.equals("/v1") || path.startsWith("/v1/")) {
            return Scope.TRAIN;
        }
        return Scope.SUBMIT;
    }
}

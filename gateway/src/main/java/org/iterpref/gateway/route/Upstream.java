package org.iterpref.gateway.route;

import java.net.URI;
import java.util.List;
import org.iterpref.gateway.config.GatewayProperties;

/**
 * The services behind the gateway and the public path prefixes each one serves. The executor is
 * none of them: only the generator may call it, and the generator serves {@code /v1/executions}.
 */
enum Upstream {
    GENERATOR(List.of("tasks", "generation-runs", "trajectories", "pairs", "evaluations", "executions")),
    TRAINER(List.of());

    private final List<String> apiResources;

    Upstream(List<String> apiResources) {
        this.apiResources = apiResources;
    }

    /** The {@code /api/<resource>} prefixes this service answers under {@code /v1/<resource>}. */
    List<String> apiResources() {
        return apiResources;
    }

    String serviceName() {
        return name().toLowerCase();
    }

    /**
     * The configured base URL, checked: http or https, a host, and nothing else, so a route's
     * target is exactly scheme, host and port.
     */
    URI baseUrl(GatewayProperties.Routes routes) {
        URI uri = switch (this) {
            case GENERATOR -> routes.generator();
            case TRAINER -> routes.trainer();
        };
        boolean plain = uri != null && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                && uri.getHost() != null && uri.getRawUserInfo() == null && uri.getRawQuery() == null
                && uri.getRawFragment() == null && (uri.getRawPath() == null || uri.getRawPath().isEmpty()
                || uri.getRawPath().equals("/"));
        if (!plain) {
            throw new IllegalStateException("iterpref.gateway.routes." + serviceName()
                    + " must be an http(s) URL with a host and no path, query or user info: " + uri);
        }
        return URI.create(uri.getScheme() + "://" + uri.getRawAuthority());
    }
}

package org.iterpref.gateway.route;

import java.util.List;
import java.util.Locale;
import org.iterpref.gateway.auth.ApiKeyFilter;
import org.iterpref.gateway.key.Scope;
import org.iterpref.gateway.request.RequestIdFilter;
import org.springframework.cloud.gateway.server.mvc.filter.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.function.ServerRequest;

/**
 * The headers a service behind the gateway receives. The client's credentials never travel on;
 * identity headers ({@code X-IterPref-*}) and forwarding headers a client sent are dropped, and
 * the gateway sets its own from the authenticated key, so no client can pose as another key.
 * The request id is the one the gateway settled on.
 */
@Component
class DownstreamHeaders implements HttpHeadersFilter.RequestHttpHeadersFilter, Ordered {

    static final String KEY_ID = "X-IterPref-Key-Id";
    static final String KEY_SCOPES = "X-IterPref-Key-Scopes";
    private static final List<String> DROPPED = List.of("authorization", "x-api-key", "cookie", "forwarded",
            "proxy-authorization", "x-request-id");
    private static final List<String> DROPPED_PREFIXES = List.of("x-iterpref-", "x-forwarded-");

    @Override
    public HttpHeaders apply(HttpHeaders incoming, ServerRequest request) {
        HttpHeaders headers = new HttpHeaders();
        incoming.forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!DROPPED.contains(lower) && DROPPED_PREFIXES.stream().noneMatch(lower::startsWith)) {
                headers.addAll(name, values);
            }
        });
        headers.set(RequestIdFilter.HEADER, RequestIdFilter.of(request.servletRequest()));
        ApiKeyFilter.of(request.servletRequest()).ifPresent(key -> {
            headers.set(KEY_ID, key.id().toString());
            headers.set(KEY_SCOPES, String.join(",", key.scopes().stream().map(Scope::wireName).toList()));
        });
        return headers;
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}

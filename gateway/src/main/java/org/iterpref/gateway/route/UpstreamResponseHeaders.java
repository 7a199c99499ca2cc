package org.iterpref.gateway.route;

import org.iterpref.gateway.request.RequestIdFilter;
import org.springframework.cloud.gateway.server.mvc.filter.HttpHeadersFilter;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.function.ServerResponse;

/** The gateway answers with its own request id; a service's copy of it would only duplicate it. */
@Component
class UpstreamResponseHeaders implements HttpHeadersFilter.ResponseHttpHeadersFilter {

    @Override
    public HttpHeaders apply(HttpHeaders upstream, ServerResponse response) {
        HttpHeaders headers = new HttpHeaders();
        headers.putAll(upstream);
        headers.remove(RequestIdFilter.HEADER);
        return headers;
    }
}

package org.iterpref.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.net.http.HttpResponse;
import java.util.Map;
import org.iterpref.gateway.support.GatewayInstance;
import org.iterpref.gateway.support.Http;
import org.iterpref.gateway.support.Keys;
import org.iterpref.gateway.support.StubUpstream;
import org.junit.jupiter.api.Test;

/** When the key table cannot be read the gateway fails closed: 503, nothing reaches a service. */
class KeyStoreOutageTest {

    @Test
    void shouldRefuseEveryKeyedRequestWhileTheDatabaseIsGone() throws Exception {
        try (StubUpstream upstream = new StubUpstream();
             GatewayInstance gateway = GatewayInstance.start("outage", upstream.baseUrl(),
                     Map.of("spring.datasource.hikari.connection-timeout", 1000))) {
            String key = Keys.create(gateway, "reader", "\"read\"");
            assertThat(Http.get(gateway.url("/api/tasks"), "X-API-Key", key).statusCode()).isEqualTo(200);
            upstream.clear();

            gateway.bean(HikariDataSource.class).close();

            HttpResponse<String> api = Http.get(gateway.url("/api/tasks"), "X-API-Key", key);
            assertThat(api.statusCode()).isEqualTo(503);
            assertThat(api.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(api.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            HttpResponse<String> v1 = Http.get(gateway.url("/v1/models"), "X-API-Key", key);
            assertThat(v1.statusCode()).isEqualTo(503);
            assertThat(Http.json(v1).get("error").get("code").asString()).isEqualTo("key_store_unavailable");
            assertThat(upstream.poll()).isNull();
        }
    }
}

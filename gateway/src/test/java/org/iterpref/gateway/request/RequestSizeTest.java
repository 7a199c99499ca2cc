package org.iterpref.gateway.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.iterpref.gateway.support.GatewayInstance;
import org.iterpref.gateway.support.Http;
import org.iterpref.gateway.support.Keys;
import org.iterpref.gateway.support.StubUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bodies over the configured cap answer 413 in the caller's shape and never reach a service. */
class RequestSizeTest {

    static StubUpstream upstream;
    static GatewayInstance gateway;
    static String key;

    @BeforeAll
    static void start() throws Exception {
        upstream = new StubUpstream();
        gateway = GatewayInstance.start("size", upstream.baseUrl(), Map.of(
                "iterpref.gateway.request-size.max-bytes", 1024,
                "iterpref.gateway.request-size.max-upload-bytes", 8192));
        key = Keys.create(gateway, "big", "\"read\",\"submit\",\"train\"");
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    @BeforeEach
    void clear() {
        upstream.clear();
    }

    @Test
    void shouldRefuseABodyOverTheCapWithProblemJson() throws Exception {
        HttpResponse<String> response = Http.post(gateway.url("/api/tasks"), json(2000), "X-API-Key", key);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(Http.json(response).get("field").asString()).isEqualTo("body");
        assertThat(Http.json(response).get("detail").asString()).contains("1024 bytes");
        assertThat(upstream.poll()).isNull();
    }

    @Test
    void shouldRefuseABodyOverTheCapInOpenAisShapeOnV1() throws Exception {
        HttpResponse<String> response = Http.post(gateway.url("/v1/completions"), json(2000), "X-API-Key", key);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(Http.json(response).get("error").get("code").asString()).isEqualTo("request_too_large");
        assertThat(upstream.poll()).isNull();
    }

    @Test
    void shouldGiveUploadPathsTheLargerCap() throws Exception {
        assertThat(Http.post(gateway.url("/v1/files"), json(4000), "X-API-Key", key).statusCode()).isEqualTo(200);
        assertThat(upstream.next().body()).hasSize(4000);
        assertThat(Http.post(gateway.url("/v1/files"), json(9000), "X-API-Key", key).statusCode()).isEqualTo(413);
    }

    @Test
    void shouldRefuseAChunkedBodyThatGrowsPastTheCap() throws Exception {
        HttpRequest request = Http.request(gateway.url("/api/tasks"), "X-API-Key", key,
                        "Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(json(5000).getBytes())))
                .build();

        HttpResponse<String> response = Http.send(request);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void shouldLetABodyUnderTheCapThrough() throws Exception {
        assertThat(Http.post(gateway.url("/api/tasks"), json(1000), "X-API-Key", key).statusCode()).isEqualTo(200);
        assertThat(upstream.next().body()).hasSize(1000);
    }

    private static String json(int bytes) {
        return "\"" + "x".repeat(bytes - 2) + "\"";
    }
}

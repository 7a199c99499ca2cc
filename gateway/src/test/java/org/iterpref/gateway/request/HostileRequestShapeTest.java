package org.iterpref.gateway.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.iterpref.gateway.support.GatewayInstance;
import org.iterpref.gateway.support.Keys;
import org.iterpref.gateway.support.RawHttp;
import org.iterpref.gateway.support.StubUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Requests the reliability module's fuzzer found answered wrongly: a wildcard Content-Type (a 500
 * from the router), and on {@code /v1/**} headers too large (Tomcat's HTML page instead of OpenAI's
 * error shape). Each answers a 4xx in the caller's shape,
 * and none reaches a service.
 */
class HostileRequestShapeTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static StubUpstream upstream;
    static GatewayInstance gateway;
    static String key;

    @BeforeAll
    static void start() throws Exception {
        upstream = new StubUpstream();
        gateway = GatewayInstance.start("hostileshape", upstream.baseUrl(), Map.of());
        key = Keys.create(gateway, "everything", "\"read\",\"submit\",\"train\"");
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
    void shouldRefuseAWildcardContentTypeWith415ProblemJson() throws Exception {
        RawHttp.Response response = RawHttp.send(gateway.port(), "POST /api/executions HTTP/1.1",
                "X-API-Key: " + key, "Content-Type: */*");

        assertThat(response.status()).isEqualTo(415);
        assertThat(response.head()).containsIgnoringCase("Content-Type: application/problem+json");
        assertThat(JSON.readTree(response.body()).get("status").asInt()).isEqualTo(415);
        assertThat(upstream.poll()).isNull();
    }

    @Test
    void shouldRefuseAWildcardSubtypeOnV1InOpenAisShape() throws Exception {
        RawHttp.Response response = RawHttp.send(gateway.port(), "POST /v1/files HTTP/1.1",
                "X-API-Key: " + key, "Content-Type: application/*");

        assertThat(response.status()).isEqualTo(415);
        assertOpenAiError(response);
        assertThat(upstream.poll()).isNull();
    }

    @Test
    void shouldAnswerHeadersTooLargeOnV1InOpenAisShape() throws Exception {
        RawHttp.Response response = RawHttp.send(gateway.port(), "GET /v1/models HTTP/1.1", "X-API-Key: " + key,
                "X-Big: " + "a".repeat(20_000));

        assertThat(response.status()).isEqualTo(400);
        assertOpenAiError(response);
        assertThat(upstream.poll()).isNull();
    }

    @Test
    void shouldRefuseAPathWithCharactersAUriMayNotHoldRawWith400() throws Exception {
        RawHttp.Response response = RawHttp.send(gateway.port(), "GET /api/evaluations/%23{7*7}/events HTTP/1.1",
                "X-API-Key: " + key);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.head()).containsIgnoringCase("Content-Type: application/problem+json");
        assertThat(upstream.poll()).isNull();
    }

    @Test
    void shouldRefuseEncodedBracesInThePathWith400() throws Exception {
        RawHttp.Response response = RawHttp.send(gateway.port(), "GET /api/evaluations/%23%7B7%2A7%7D/events HTTP/1.1",
                "X-API-Key: " + key);

        assertThat(response.status()).isEqualTo(400);
        assertThat(upstream.poll()).isNull();
    }

    @Test
    void shouldRefuseAQueryWithAParameterWithoutANameWith400NotA502() throws Exception {
        RawHttp.Response response = RawHttp.send(gateway.port(), "POST /v1/fine_tuning/jobs/x/cancel?=1 HTTP/1.1",
                "X-API-Key: " + key);

        assertThat(response.status()).isEqualTo(400);
        assertOpenAiError(response);
        assertThat(upstream.poll()).isNull();
    }

    private static void assertOpenAiError(RawHttp.Response response) {
        assertThat(response.head()).containsIgnoringCase("Content-Type: application/json");
        JsonNode error = JSON.readTree(dechunked(response)).get("error");
        assertThat(error.get("message").isString()).isTrue();
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
    }

    private static String dechunked(RawHttp.Response response) {
        if (!response.head().toLowerCase().contains("transfer-encoding: chunked")) {
            return response.body();
        }
        String body = response.body();
        int line = body.indexOf("\r\n");
        int size = Integer.parseInt(body.substring(0, line).trim(), 16);
        return body.substring(line + 2, line + 2 + size);
    }
}

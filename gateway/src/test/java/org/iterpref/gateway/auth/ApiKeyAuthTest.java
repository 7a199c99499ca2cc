package org.iterpref.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

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
import tools.jackson.databind.JsonNode;

/** Only a valid, unrevoked key with the needed scope gets through; refusals speak the caller's API. */
class ApiKeyAuthTest {

    static StubUpstream upstream;
    static GatewayInstance gateway;
    static String reader;
    static String submitter;
    static String trainer;

    @BeforeAll
    static void start() throws Exception {
        upstream = new StubUpstream();
        gateway = GatewayInstance.start("auth", upstream.baseUrl(), Map.of());
        reader = Keys.create(gateway, "reader", "\"read\"");
        submitter = Keys.create(gateway, "submitter", "\"read\",\"submit\"");
        trainer = Keys.create(gateway, "trainer", "\"read\",\"train\"");
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
    void shouldRefuseARequestWithoutAKeyWithProblemJsonOnApi() throws Exception {
        HttpResponse<String> response = Http.get(gateway.url("/api/tasks"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        JsonNode problem = Http.json(response);
        assertThat(problem.get("status").asInt()).isEqualTo(401);
        assertThat(problem.get("title").asString()).isEqualTo("Unauthorized");
        assertThat(problem.get("detail").asString()).contains("No API key");
        assertThat(upstream.poll()).isNull();
    }

    @Test
    void shouldRefuseARequestWithoutAKeyWithOpenAisErrorShapeOnV1() throws Exception {
        HttpResponse<String> response = Http.post(gateway.url("/v1/chat/completions"), "{}");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode error = Http.json(response).get("error");
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.get("code").asString()).isEqualTo("invalid_api_key");
        assertThat(error.get("message").asString()).contains("No API key");
        assertThat(error.has("param")).isTrue();
        assertThat(upstream.poll()).isNull();
    }

    @Test
    void shouldRefuseAnUnknownKey() throws Exception {
        HttpResponse<String> api = Http.get(gateway.url("/api/tasks"), "Authorization", Http.bearer("ipk_made-up"));
        HttpResponse<String> v1 = Http.get(gateway.url("/v1/models"), "X-API-Key", "ipk_made-up");

        assertThat(api.statusCode()).isEqualTo(401);
        assertThat(Http.json(api).get("detail").asString()).contains("not valid");
        assertThat(v1.statusCode()).isEqualTo(401);
        assertThat(Http.json(v1).get("error").get("code").asString()).isEqualTo("invalid_api_key");
        assertThat(upstream.poll()).isNull();
    }

    @Test
    void shouldRefuseTwoDifferentKeysInOneRequest() throws Exception {
        HttpResponse<String> response = Http.get(gateway.url("/api/tasks"), "Authorization", Http.bearer(reader),
                "X-API-Key", submitter);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(upstream.poll()).isNull();
    }

    @Test
    void shouldRefuseARevokedKeyFromTheMomentItIsRevoked() throws Exception {
        String doomed = Keys.create(gateway, "doomed", "\"read\"");
        assertThat(Http.get(gateway.url("/api/tasks"), "X-API-Key", doomed).statusCode()).isEqualTo(200);
        String id = idOf("doomed");

        HttpResponse<String> revoke = Http.delete(gateway.url("/admin/keys/" + id),
                "Authorization", Http.bearer(GatewayInstance.BOOTSTRAP_KEY));

        assertThat(revoke.statusCode()).isEqualTo(204);
        HttpResponse<String> api = Http.get(gateway.url("/api/tasks"), "X-API-Key", doomed);
        assertThat(api.statusCode()).isEqualTo(401);
        assertThat(Http.json(api).get("detail").asString()).contains("revoked");
        HttpResponse<String> v1 = Http.get(gateway.url("/v1/models"), "Authorization", Http.bearer(doomed));
        assertThat(v1.statusCode()).isEqualTo(401);
        assertThat(Http.json(v1).get("error").get("code").asString()).isEqualTo("invalid_api_key");
    }

    @Test
    void shouldLetAReadKeyReadButNotSubmit() throws Exception {
        assertThat(Http.get(gateway.url("/api/tasks/t1"), "X-API-Key", reader).statusCode()).isEqualTo(200);
        assertThat(Http.get(gateway.url("/v1/models"), "X-API-Key", reader).statusCode()).isEqualTo(200);
        upstream.clear();

        HttpResponse<String> api = Http.post(gateway.url("/api/tasks"), "{}", "X-API-Key", reader);

        assertThat(api.statusCode()).isEqualTo(403);
        assertThat(api.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(Http.json(api).get("detail").asString()).contains("'submit'");
        assertThat(upstream.poll()).isNull();
    }

    @Test
    void shouldAnswerAMissingScopeOnV1InOpenAisShape() throws Exception {
        HttpResponse<String> response = Http.post(gateway.url("/v1/fine_tuning/jobs"), "{}", "X-API-Key", submitter);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode error = Http.json(response).get("error");
        assertThat(error.get("type").asString()).isEqualTo("permission_error");
        assertThat(error.get("code").asString()).isEqualTo("insufficient_scope");
        assertThat(error.get("message").asString()).contains("'train'");
        assertThat(upstream.poll()).isNull();
    }

    @Test
    void shouldGiveEachScopeItsRoutes() throws Exception {
        assertThat(Http.post(gateway.url("/api/generation-runs"), "{}", "X-API-Key", submitter).statusCode())
                .isEqualTo(200);
        assertThat(Http.delete(gateway.url("/api/tasks/t1"), "X-API-Key", submitter).statusCode()).isEqualTo(200);
        assertThat(Http.post(gateway.url("/api/executions"), "{}", "X-API-Key", submitter).statusCode())
                .isEqualTo(200);
        assertThat(Http.post(gateway.url("/v1/completions"), "{}", "X-API-Key", submitter).statusCode())
                .isEqualTo(403);

        assertThat(Http.post(gateway.url("/v1/fine_tuning/jobs"), "{}", "X-API-Key", trainer).statusCode())
                .isEqualTo(200);
        assertThat(Http.delete(gateway.url("/v1/files/file-1"), "X-API-Key", trainer).statusCode()).isEqualTo(200);
        assertThat(Http.post(gateway.url("/api/evaluations"), "{}", "X-API-Key", trainer).statusCode())
                .isEqualTo(403);
        assertThat(Http.post(gateway.url("/v1/models"), "{}", "X-API-Key", trainer).statusCode()).isEqualTo(403);
        assertThat(Http.delete(gateway.url("/v1/models/m1"), "X-API-Key", trainer).statusCode()).isEqualTo(403);
        assertThat(Http.get(gateway.url("/admin/keys"), "X-API-Key", trainer).statusCode()).isEqualTo(403);

        assertThat(Http.post(gateway.url("/v1/models"), "{}", "X-API-Key", GatewayInstance.BOOTSTRAP_KEY)
                .statusCode()).isEqualTo(200);
    }

    @Test
    void shouldLeaveHealthProbesOpenAndEverythingElseClosed() throws Exception {
        assertThat(Http.get(gateway.url("/actuator/health")).statusCode()).isEqualTo(200);
        assertThat(Http.get(gateway.url("/actuator/health/liveness")).statusCode()).isEqualTo(200);
        assertThat(Http.get(gateway.url("/actuator/health/readiness")).statusCode()).isEqualTo(200);
        assertThat(Http.get(gateway.url("/actuator/prometheus")).body()).contains("iterpref_gateway");
        assertThat(Http.get(gateway.url("/v3/api-docs")).body()).contains("/admin/keys");
        assertThat(Http.get(gateway.url("/actuator/metrics")).statusCode()).isEqualTo(401);
        assertThat(Http.get(gateway.url("/anything/else")).statusCode()).isEqualTo(401);
        assertThat(Http.get(gateway.url("/anything/else"), "X-API-Key", reader).statusCode()).isEqualTo(404);
    }

    private static String idOf(String name) throws Exception {
        JsonNode keys = Http.json(Http.get(gateway.url("/admin/keys"),
                "Authorization", Http.bearer(GatewayInstance.BOOTSTRAP_KEY)));
        for (JsonNode key : keys) {
            if (key.get("name").asString().equals(name)) {
                return key.get("id").asString();
            }
        }
        throw new AssertionError("no key named " + name);
    }
}

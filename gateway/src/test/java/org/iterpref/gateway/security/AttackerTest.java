package org.iterpref.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import org.iterpref.gateway.support.GatewayInstance;
import org.iterpref.gateway.support.Http;
import org.iterpref.gateway.support.Keys;
import org.iterpref.gateway.support.RawHttp;
import org.iterpref.gateway.support.StubUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/**
 * A client with a valid key tries to make the gateway call another host, to pose as another key,
 * to reach the key table, and to slip past the scope check with odd spellings of a path.
 */
@ExtendWith(OutputCaptureExtension.class)
class AttackerTest {

    static StubUpstream upstream;
    static StubUpstream elsewhere;
    static GatewayInstance gateway;
    static String submitter;
    static String reader;

    @BeforeAll
    static void start() throws Exception {
        upstream = new StubUpstream();
        elsewhere = new StubUpstream();
        gateway = GatewayInstance.start("attacker", upstream.baseUrl(), Map.of());
        submitter = Keys.create(gateway, "submitter", "\"read\",\"submit\"");
        reader = Keys.create(gateway, "reader", "\"read\"");
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
        elsewhere.close();
    }

    @BeforeEach
    void clear() {
        upstream.clear();
        elsewhere.clear();
    }

    @Test
    void shouldIgnoreAnAbsoluteRequestUriNamingAnotherHost() throws Exception {
        RawHttp.Response response = RawHttp.send(gateway.port(), "GET " + elsewhere.baseUrl() + "/api/tasks HTTP/1.1",
                "Host: " + elsewhere.baseUrl().substring(7), "X-API-Key: " + submitter);

        assertThat(elsewhere.poll()).isNull();
        assertThat(response.status()).isEqualTo(200);
        assertThat(upstream.next().uri()).isEqualTo("/v1/tasks");
    }

    @Test
    void shouldIgnoreHeadersThatNameAnotherTarget() throws Exception {
        String other = elsewhere.baseUrl().substring(7);
        HttpResponse<String> response = Http.get(gateway.url("/api/tasks"), "X-API-Key", submitter,
                "X-Forwarded-Host", other, "X-Forwarded-Proto", "https", "X-Forwarded-Prefix", "/evil",
                "Forwarded", "host=" + other, "X-Original-URL", elsewhere.baseUrl() + "/x",
                "X-Rewrite-URL", "/admin/keys", "X-HTTP-Method-Override", "DELETE");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(elsewhere.poll()).isNull();
        StubUpstream.Received received = upstream.next();
        assertThat(received.method()).isEqualTo("GET");
        assertThat(received.uri()).isEqualTo("/v1/tasks");
        assertThat(received.headers()).doesNotContainKeys("x-forwarded-host", "x-forwarded-prefix", "forwarded");
    }

    @Test
    void shouldPassAServicesRedirectBackInsteadOfFollowingIt() throws Exception {
        upstream.on("/v1/trajectories/moved", exchange -> {
            exchange.getResponseHeaders().set("Location", elsewhere.baseUrl() + "/steal");
            exchange.sendResponseHeaders(302, -1);
        });

        HttpResponse<String> response = Http.get(gateway.url("/api/trajectories/moved"), "X-API-Key", reader);

        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location")).hasValue(elsewhere.baseUrl() + "/steal");
        assertThat(elsewhere.poll()).isNull();
    }

    @Test
    void shouldNotLetAClientPoseAsAnotherKey() throws Exception {
        HttpResponse<String> response = Http.get(gateway.url("/api/tasks"), "Authorization", Http.bearer(reader),
                "X-IterPref-Key-Id", "00000000-0000-0000-0000-000000000001", "X-IterPref-Key-Scopes", "admin",
                "x-iterpref-key-id", "someone-else", "Cookie", "session=abc");

        assertThat(response.statusCode()).isEqualTo(200);
        StubUpstream.Received received = upstream.next();
        assertThat(received.headers().get("x-iterpref-key-id")).containsExactly(idOf("reader"));
        assertThat(received.headers().get("x-iterpref-key-scopes")).containsExactly("read");
        assertThat(received.headers()).doesNotContainKeys("authorization", "x-api-key", "cookie");
        assertThat(received.headers().toString()).doesNotContain(reader);
    }

    @Test
    void shouldKeepTheKeyTableToAdmins() throws Exception {
        assertThat(Http.get(gateway.url("/admin/keys"), "X-API-Key", reader).statusCode()).isEqualTo(403);
        assertThat(Http.get(gateway.url("/admin/keys"), "X-API-Key", submitter).statusCode()).isEqualTo(403);
        assertThat(Http.post(gateway.url("/admin/keys"), "{\"name\":\"mine\",\"scopes\":[\"admin\"]}",
                "X-API-Key", submitter).statusCode()).isEqualTo(403);
        assertThat(Http.get(gateway.url("/actuator/metrics"), "X-API-Key", reader).statusCode()).isEqualTo(403);
        for (String endpoint : new String[] {"env", "beans", "configprops", "heapdump", "threaddump", "loggers"}) {
            assertThat(Http.get(gateway.url("/actuator/" + endpoint), "X-API-Key", GatewayInstance.BOOTSTRAP_KEY)
                    .statusCode()).as(endpoint).isEqualTo(404);
        }
        assertThat(upstream.poll()).isNull();
    }

    @Test
    void shouldRefusePathsThatCouldMeanAnotherPath() throws Exception {
        String[] tricks = {"/api/tasks/../../admin/keys", "/api/tasks/%2e%2e/%2e%2e/admin/keys",
            "/api/tasks/..%2f..%2fadmin%2fkeys", "/api/tasks;/../../admin/keys", "/api//tasks",
            "/api/tasks/%252e%252e/admin", "/api/tasks\\..\\admin", "/api/tasks/%00"};
        for (String trick : tricks) {
            RawHttp.Response response = RawHttp.send(gateway.port(), "GET " + trick + " HTTP/1.1",
                    "X-API-Key: " + submitter);
            assertThat(response.status()).as(trick).isEqualTo(400);
        }
        assertThat(upstream.poll()).isNull();
    }

    @Test
    void shouldCheckTheScopeOfThePathTheRouterSees() throws Exception {
        RawHttp.Response encoded = RawHttp.send(gateway.port(), "GET /%61dmin/keys HTTP/1.1",
                "X-API-Key: " + submitter);

        assertThat(encoded.status()).isEqualTo(403);
        assertThat(encoded.body()).doesNotContain("\"prefix\"");
    }

    @Test
    void shouldNeverLogAKeyButLogTheRequestId(CapturedOutput output) throws Exception {
        HttpResponse<String> response = Http.post(gateway.url("/api/tasks"), "{}", "X-API-Key", reader,
                "X-Request-Id", "trace-me-7");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).doesNotContain(reader);
        assertThat(output.getOut()).contains("[trace-me-7]").doesNotContain(reader)
                .doesNotContain(GatewayInstance.BOOTSTRAP_KEY);
        assertThat(output.getOut().lines().filter(line -> line.contains("[trace-me-7]"))
                .filter(line -> line.contains("POST /api/tasks 403"))).as("the access line").hasSize(1);
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

package org.iterpref.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Security of the real platform through its gateways: keys (missing, malformed, wrong, revoked),
 * scopes at each boundary, the rate limit across two replicas on one database, and hostile
 * programs sent through the gateway contained as when sent straight to the executor.
 */
class GatewaySecurityIT {

    static PlatformProcesses platform;
    static String reader;
    static String submitter;
    static String trainer;
    static String admin;

    @BeforeAll
    static void start() throws Exception {
        platform = PlatformProcesses.get();
        reader = PlatformApi.createKey(platform, "reader", List.of("read"), null, null)[1];
        submitter = PlatformApi.createKey(platform, "submitter", List.of("submit"), null, null)[1];
        trainer = PlatformApi.createKey(platform, "trainer", List.of("train"), null, null)[1];
        admin = PlatformApi.createKey(platform, "admin", List.of("admin"), null, null)[1];
    }

    @Test
    void requestsWithoutAValidKeyAreRefusedWith401InTheirApisShape() throws Exception {
        List<String[]> noKey = List.of();
        List<List<String[]>> badKeys = List.of(noKey,
                headers("Authorization", "Bearer"), headers("Authorization", "Bearer "),
                headers("Authorization", "Basic dXNlcjpwYXNz"), headers("Authorization", "Bearer a b c"),
                headers("Authorization", "Bearer ipk_" + "0".repeat(64)), headers("X-API-Key", "not-a-key"),
                headers("X-API-Key", "k".repeat(5_000)), headers("X-API-Key", "' OR '1'='1"),
                headers("Authorization", "Bearer " + reader, "X-API-Key", admin),
                headers("Authorization", "bearer " + reader.toUpperCase()));
        for (List<String[]> headers : badKeys) {
            for (String[] call : List.of(new String[] {"GET", "/api/tasks"}, new String[] {"GET", "/v1/models"},
                    new String[] {"GET", "/admin/keys"}, new String[] {"POST", "/api/executions"})) {
                RawHttp.Reply reply = RawHttp.send(platform.gatewayPort, call[0], call[1], headers,
                        call[0].equals("POST") ? "{}" : null);
                assertThat(reply.status()).as("%s %s with %s", call[0], call[1], describe(headers)).isEqualTo(401);
                assertThat(reply.header("www-authenticate")).isEqualTo("Bearer");
                assertErrorShape(call[1], reply, 401);
            }
        }
    }

    @Test
    void aRevokedKeyIsRefusedOnBothReplicas() throws Exception {
        String[] key = PlatformApi.createKey(platform, "revoked", List.of("read"), null, null);
        for (int port : List.of(platform.gatewayPort, platform.secondGatewayPort)) {
            assertThat(PlatformApi.call(port, "GET", "/api/tasks", key[1], null).status()).isEqualTo(200);
        }
        RawHttp.Reply revoked = PlatformApi.call(platform.gatewayPort, "DELETE", "/admin/keys/" + key[0],
                platform.bootstrapKey, null);
        assertThat(revoked.status()).isEqualTo(204);
        for (int port : List.of(platform.gatewayPort, platform.secondGatewayPort)) {
            RawHttp.Reply reply = PlatformApi.call(port, "GET", "/api/tasks", key[1], null);
            assertThat(reply.status()).as("replica on %d", port).isEqualTo(401);
            assertErrorShape("/api/tasks", reply, 401);
            assertThat(PlatformApi.call(port, "GET", "/v1/models", key[1], null).status()).isEqualTo(401);
        }
    }

    @Test
    void aKeyLackingTheScopeIsRefusedWith403AtEveryBoundary() throws Exception {
        // {key, method, path, body}: each needs a scope the key does not have
        List<Object[]> refused = List.of(
                new Object[] {reader, "POST", "/api/tasks/import?format=jsonl&set=x", "{}"},
                new Object[] {reader, "POST", "/api/executions", "{}"},
                new Object[] {reader, "POST", "/api/generation-runs", "{}"},
                new Object[] {reader, "POST", "/v1/completions", "{}"},
                new Object[] {reader, "GET", "/admin/keys", null},
                new Object[] {submitter, "GET", "/api/tasks", null},
                new Object[] {submitter, "POST", "/v1/fine_tuning/jobs", "{}"},
                new Object[] {submitter, "POST", "/v1/files", "{}"},
                new Object[] {submitter, "POST", "/admin/keys", "{}"},
                new Object[] {trainer, "POST", "/api/executions", "{}"},
                new Object[] {trainer, "POST", "/v1/models", "{}"},
                new Object[] {trainer, "DELETE", "/v1/models/tiny-qwen2", null},
                new Object[] {trainer, "GET", "/admin/keys", null},
                new Object[] {trainer, "DELETE", "/admin/keys/00000000-0000-0000-0000-000000000000", null},
                new Object[] {reader, "POST", "/v1/models", "{}"},
                new Object[] {reader, "GET", "/actuator/env", null});
        for (Object[] call : refused) {
            RawHttp.Reply reply = PlatformApi.call(platform.gatewayPort, (String) call[1], (String) call[2],
                    (String) call[0], call[3]);
            assertThat(reply.status()).as("%s %s", call[1], call[2]).isEqualTo(403);
            assertErrorShape((String) call[2], reply, 403);
            assertThat(refusedForScope(reply)).as("the gateway's scope refusal: %s", reply.body()).isTrue();
        }
        // the same keys pass the scope check where they have the scope (the body is then the service's business)
        List<Object[]> allowed = List.of(
                new Object[] {reader, "GET", "/api/tasks"}, new Object[] {reader, "GET", "/v1/models"},
                new Object[] {submitter, "POST", "/api/executions"}, new Object[] {trainer, "POST", "/v1/fine_tuning/jobs"},
                new Object[] {admin, "GET", "/admin/keys"}, new Object[] {admin, "POST", "/v1/models"},
                new Object[] {admin, "DELETE", "/v1/models/no-such-model"});
        for (Object[] call : allowed) {
            RawHttp.Reply reply = PlatformApi.call(platform.gatewayPort, (String) call[1], (String) call[2],
                    (String) call[0], call[1].equals("POST") ? "{}" : null);
            assertThat(reply.status()).as("%s %s", call[1], call[2]).isNotEqualTo(401).isLessThan(500);
            assertThat(refusedForScope(reply)).as("%s %s: %s", call[1], call[2], reply.body()).isFalse();
        }
    }

    @Test
    void adminEndpointsAnswerOnlyAnAdminKey() throws Exception {
        for (String key : List.of(reader, submitter, trainer)) {
            for (String[] call : List.of(new String[] {"GET", "/admin/keys"}, new String[] {"POST", "/admin/keys"},
                    new String[] {"DELETE", "/admin/keys/00000000-0000-0000-0000-000000000000"})) {
                RawHttp.Reply reply = PlatformApi.call(platform.gatewayPort, call[0], call[1], key,
                        call[0].equals("POST") ? Map.of("name", "escalated", "scopes", List.of("admin")) : null);
                assertThat(reply.status()).as("%s %s", call[0], call[1]).isEqualTo(403);
            }
        }
        assertThat(PlatformApi.call(platform.gatewayPort, "GET", "/admin/keys", admin, null).status()).isEqualTo(200);
        assertThat(PlatformApi.call(platform.gatewayPort, "DELETE", "/admin/keys/00000000-0000-0000-0000-000000000000",
                admin, null).status()).isEqualTo(404);
    }

    @Test
    void xApiKeyWorksLikeBearer() throws Exception {
        for (List<String[]> headers : List.of(headers("X-API-Key", reader), headers("Authorization", "Bearer " + reader))) {
            assertThat(RawHttp.send(platform.gatewayPort, "GET", "/api/tasks", headers, null).status()).isEqualTo(200);
            assertThat(RawHttp.send(platform.gatewayPort, "GET", "/v1/models", headers, null).status()).isEqualTo(200);
            RawHttp.Reply refused = RawHttp.send(platform.gatewayPort, "GET", "/admin/keys", headers, null);
            assertThat(refused.status()).isEqualTo(403);
        }
    }

    @Test
    void theRateLimitHoldsAcrossTwoReplicasSharingTheDatabase() throws Exception {
        int perMinute = 60;
        int burst = 5;
        String key = PlatformApi.createKey(platform, "limited", List.of("read"), perMinute, burst)[1];
        int allowed = 0;
        int limited = 0;
        int[] byReplica = new int[2];
        List<String> badRetryAfter = new ArrayList<>();
        long begin = System.nanoTime();
        for (int i = 0; i < 60; i++) { // bounded: 60 requests, alternately on the two replicas
            int port = i % 2 == 0 ? platform.gatewayPort : platform.secondGatewayPort;
            RawHttp.Reply reply = PlatformApi.call(port, "GET", i % 4 < 2 ? "/api/tasks" : "/v1/models", key, null);
            if (reply.status() == 200) {
                allowed++;
                byReplica[i % 2]++;
            } else {
                assertThat(reply.status()).isEqualTo(429);
                limited++;
                String retryAfter = reply.header("retry-after");
                if (retryAfter == null || !retryAfter.matches("[1-9][0-9]*")) {
                    badRetryAfter.add(String.valueOf(retryAfter));
                }
                assertErrorShape(i % 4 < 2 ? "/api/tasks" : "/v1/models", reply, 429);
            }
            Thread.sleep(50);
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        // a token bucket of `burst` refilled at perMinute/60 a second allows at most this many
        int bound = (int) Math.floor(burst + perMinute / 60.0 * seconds);
        System.out.printf("rate limit: %d allowed (%d + %d by replica), %d refused in %.1f s; bound %d "
                + "(burst %d + %d/min × %.1f s)%n", allowed, byReplica[0], byReplica[1], limited, seconds, bound, burst,
                perMinute, seconds);
        assertThat(allowed).as("requests allowed across both replicas").isLessThanOrEqualTo(bound)
                .isGreaterThanOrEqualTo(burst);
        assertThat(byReplica[0]).as("the first replica allowed some").isPositive();
        assertThat(byReplica[1]).as("the second replica allowed some").isPositive();
        assertThat(badRetryAfter).as("429s without a Retry-After in whole seconds").isEmpty();
    }

    @Test
    void hostileProgramsThroughTheGatewayAreContainedWithTheSameVerdictsAsDirect() throws Exception {
        String key = PlatformApi.createKey(platform, "hostile", List.of("submit"), null, null)[1];
        for (HostilePrograms.Case c : HostilePrograms.cases(platform)) {
            try (HostilePrograms.Listener listener = HostilePrograms.listener()) {
                Map<String, Object> body = c.body(listener.port());
                JsonNode viaGateway = PlatformApi.json(PlatformApi.call(platform.gatewayPort, "POST", "/api/executions",
                        key, body), 200);
                JsonNode direct = PlatformApi.json(PlatformApi.call(platform.executorPort, "POST", "/v1/executions",
                        null, body), 200);
                assertThat(HostilePrograms.verdicts(viaGateway)).as(c.name() + " through the gateway: " + viaGateway)
                        .isEqualTo(c.expected());
                assertThat(HostilePrograms.verdicts(direct)).as(c.name() + " direct").isEqualTo(c.expected());
                c.check().accept(viaGateway);
                assertThat(listener.accepted()).as(c.name() + ": a sandbox reached the host's loopback").isFalse();
                System.out.printf("hostile program %-28s gateway %s, direct %s%n", c.name(),
                        HostilePrograms.verdicts(viaGateway), HostilePrograms.verdicts(direct));
            }
        }
        HostilePrograms.assertNothingWrittenOutside();
        for (int port : List.of(platform.gatewayPort, platform.secondGatewayPort)) {
            assertThat(PlatformApi.call(port, "GET", "/actuator/health/readiness", null, null).status()).isEqualTo(200);
        }
    }

    /** The gateway's 403 for a missing scope (a service may answer 403 for reasons of its own). */
    static boolean refusedForScope(RawHttp.Reply reply) {
        return reply.status() == 403 && reply.body().contains("scope");
    }

    static void assertErrorShape(String path, RawHttp.Reply reply, int status) {
        JsonNode body = PlatformApi.JSON.readTree(reply.body());
        if (path.startsWith("/v1/")) {
            assertThat(reply.contentType()).startsWith("application/json");
            assertThat(body.path("error").path("message").isString()).as(reply.body()).isTrue();
            assertThat(body.path("error").has("type")).isTrue();
            assertThat(body.path("error").has("code")).isTrue();
        } else {
            assertThat(reply.contentType()).startsWith("application/problem+json");
            assertThat(body.path("status").asInt()).as(reply.body()).isEqualTo(status);
            assertThat(body.path("detail").isString()).isTrue();
        }
    }

    private static List<String[]> headers(String... nameValues) {
        List<String[]> headers = new ArrayList<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            headers.add(new String[] {nameValues[i], nameValues[i + 1]});
        }
        return headers;
    }

    private static String describe(List<String[]> headers) {
        return headers.isEmpty() ? "no key" : headers.stream().map(h -> h[0] + ": "
                + BadInputFuzzIT.abbreviate(h[1].replace(reader, "<reader>").replace(admin, "<admin>"), 40)).toList()
                .toString();
    }
}

package org.iterpref.gateway.key;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Map;
import org.iterpref.gateway.support.GatewayInstance;
import org.iterpref.gateway.support.Http;
import org.iterpref.gateway.support.StubUpstream;
import org.iterpref.gateway.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Keys are shown once, stored only as hashes, listed without secrets, and validated on creation. */
class KeyManagementTest {

    static StubUpstream upstream;
    static GatewayInstance gateway;

    @BeforeAll
    static void start() {
        upstream = new StubUpstream();
        gateway = GatewayInstance.start("keys", upstream.baseUrl(), Map.of());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void shouldReturnTheKeyOnceAndStoreOnlyItsHash() throws Exception {
        HttpResponse<String> created = createKey("{\"name\":\"ci\",\"scopes\":[\"read\",\"submit\"],"
                + "\"requestsPerMinute\":120,\"burst\":10}");

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode body = Http.json(created);
        String key = body.get("key").asString();
        assertThat(key).startsWith("ipk_").hasSizeGreaterThanOrEqualTo(40);
        assertThat(body.get("details").get("scopes").toString()).isEqualTo("[\"read\",\"submit\"]");
        String id = body.get("details").get("id").asString();

        try (Connection c = TestDatabase.connect("keys"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select * from api_keys where id = '" + id + "'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("key_hash")).isEqualTo(sha256(key));
            ResultSetMetaData columns = rs.getMetaData();
            for (int i = 1; i <= columns.getColumnCount(); i++) {
                String value = rs.getString(i);
                assertThat(value == null || !value.contains(key.substring(10)))
                        .as("column %s holds no part of the secret beyond its prefix", columns.getColumnName(i)).isTrue();
            }
        }
        HttpResponse<String> listed = Http.get(gateway.url("/admin/keys"),
                "Authorization", Http.bearer(GatewayInstance.BOOTSTRAP_KEY));
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.body()).doesNotContain(key).doesNotContain(sha256(key)).doesNotContain(key.substring(10))
                .doesNotContain(GatewayInstance.BOOTSTRAP_KEY).contains("\"name\":\"ci\"")
                .contains("\"requestsPerMinute\":120");
        assertThat(Http.get(gateway.url("/api/tasks"), "X-API-Key", key).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldStoreTheBootstrapKeyOnlyAsAHash() throws Exception {
        try (Connection c = TestDatabase.connect("keys"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select key_hash, scopes from api_keys where name = 'bootstrap'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(sha256(GatewayInstance.BOOTSTRAP_KEY));
            assertThat(rs.getString(2)).isEqualTo("{admin}");
        }
    }

    @Test
    void shouldRefuseInvalidKeyRequestsNamingTheField() throws Exception {
        HttpResponse<String> badScope = createKey("{\"name\":\"x\",\"scopes\":[\"read\",\"root\"]}");
        assertThat(badScope.statusCode()).isEqualTo(400);
        assertThat(badScope.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(Http.json(badScope).get("field").asString()).isEqualTo("scopes[1]");

        HttpResponse<String> noName = createKey("{\"scopes\":[\"read\"]}");
        assertThat(noName.statusCode()).isEqualTo(400);
        assertThat(Http.json(noName).get("field").asString()).isEqualTo("name");

        HttpResponse<String> badRate = createKey("{\"name\":\"x\",\"scopes\":[\"read\"],\"burst\":0}");
        assertThat(Http.json(badRate).get("field").asString()).isEqualTo("burst");

        HttpResponse<String> unknownField = createKey("{\"name\":\"x\",\"scopes\":[\"read\"],\"keyHash\":\"00\"}");
        assertThat(unknownField.statusCode()).isEqualTo(400);
    }

    @Test
    void shouldAnswer404ForRevokingAnUnknownKey() throws Exception {
        HttpResponse<String> response = Http.delete(gateway.url("/admin/keys/00000000-0000-0000-0000-000000000000"),
                "Authorization", Http.bearer(GatewayInstance.BOOTSTRAP_KEY));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    private static HttpResponse<String> createKey(String json) throws Exception {
        return Http.post(gateway.url("/admin/keys"), json, "Authorization", Http.bearer(GatewayInstance.BOOTSTRAP_KEY));
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}

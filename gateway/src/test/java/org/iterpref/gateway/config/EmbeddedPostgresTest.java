package org.iterpref.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.iterpref.gateway.support.GatewayInstance;
import org.iterpref.gateway.support.Http;
import org.iterpref.gateway.support.StubUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Profile {@code local}: the gateway starts its own PostgreSQL on a data directory that survives a
 * restart, and reads the bootstrap key from a file.
 */
class EmbeddedPostgresTest {

    @TempDir
    Path dir;

    @Test
    void shouldKeepKeysAndRevocationsAcrossARestartOnTheEmbeddedDatabase() throws Exception {
        Path keyFile = dir.resolve("bootstrap-key");
        Files.writeString(keyFile, "file-bootstrap-key-0123456789abcdefghij\n");
        String bootstrap = "file-bootstrap-key-0123456789abcdefghij";
        try (StubUpstream upstream = new StubUpstream()) {
            Map<String, Object> properties = Map.of("server.port", 0, "server.address", "127.0.0.1",
                    "iterpref.gateway.embedded-postgres.data-directory", dir.resolve("pg").toString(),
                    "iterpref.gateway.bootstrap-key-file", keyFile.toString(),
                    "iterpref.gateway.routes.generator", upstream.baseUrl());
            String created;
            try (GatewayInstance gateway = GatewayInstance.start(properties, "local")) {
                assertThat(Http.get(gateway.url("/actuator/health/readiness")).statusCode()).isEqualTo(200);
                JsonNode key = Http.json(Http.post(gateway.url("/admin/keys"),
                        "{\"name\":\"kept\",\"scopes\":[\"read\"]}", "Authorization", Http.bearer(bootstrap)));
                created = key.get("key").asString();
                JsonNode keys = Http.json(Http.get(gateway.url("/admin/keys"), "X-API-Key", bootstrap));
                String bootstrapId = keys.get(0).get("id").asString();
                assertThat(keys.get(0).get("name").asString()).isEqualTo("bootstrap");
                assertThat(Http.delete(gateway.url("/admin/keys/" + bootstrapId), "X-API-Key", bootstrap)
                        .statusCode()).isEqualTo(204);
            }
            try (GatewayInstance restarted = GatewayInstance.start(properties, "local")) {
                assertThat(Http.get(restarted.url("/api/tasks"), "X-API-Key", created).statusCode()).isEqualTo(200);
                assertThat(Http.get(restarted.url("/admin/keys"), "X-API-Key", bootstrap).statusCode())
                        .as("a revoked bootstrap key stays revoked though the file still names it").isEqualTo(401);
            }
        }
    }
}

package org.iterpref.generator.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.iterpref.generator.config.GeneratorProperties;
import org.iterpref.generator.support.GeneratorClient;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With the {@code prod} profile's configuration a caller can only name operator-configured model
 * servers: no base URL is allow-listed, so no request decides where the service connects.
 */
@ActiveProfiles("prod")
class ProdProfileSourcesTest extends GeneratorIntegrationTest {

    @Autowired
    GeneratorProperties properties;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, ProdProfileSourcesTest.class);
    }

    @Test
    void noBaseUrlIsAllowedAndNoServerIsConfiguredByDefault() {
        assertThat(properties.allowedBaseUrls()).isEmpty();
        assertThat(properties.modelServers()).isEmpty();
        assertThat(properties.promptTemplatesDir()).isNull();

        GeneratorClient client = client();
        client.post("/v1/tasks", Map.of("set", "prod", "prompt", "x", "tests", List.of(Map.of("name", "t", "code", "pass"))));
        var reply = client.post("/v1/generation-runs", Map.of("taskSet", "prod", "source", Map.of("type", "openai",
                "baseUrl", "http://127.0.0.1:9/v1", "apiKey", "sk-prod-test", "model", "m")));
        assertThat(reply.status()).as(reply.raw()).isEqualTo(400);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.body().get("field").asString()).isEqualTo("source.baseUrl");
        assertThat(reply.raw()).doesNotContain("sk-prod-test");
    }
}

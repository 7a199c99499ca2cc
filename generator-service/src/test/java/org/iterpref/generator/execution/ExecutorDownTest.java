package org.iterpref.generator.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.iterpref.generator.support.GeneratorClient.Reply;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.iterpref.generator.support.SharedPostgres;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The relay when nothing listens at the executor's address. */
class ExecutorDownTest extends GeneratorIntegrationTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> SharedPostgres.jdbcUrl(ExecutorDownTest.class.getSimpleName()));
        registry.add("spring.datasource.username", SharedPostgres::user);
        registry.add("spring.datasource.password", SharedPostgres::password);
        registry.add("iterpref.generator.executor.base-url", () -> "http://127.0.0.1:" + closedPort());
        registry.add("iterpref.generator.workers", () -> 0);
    }

    static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldAnswer503NamingTheExecutorWhenItIsDown() {
        for (String path : new String[] {"/v1/executions", "/v1/executions/batch"}) {
            Reply reply = client().post(path, "application/json", "{\"language\":\"python\",\"code\":\"x\",\"tests\":[]}");
            assertThat(reply.status()).as(reply.raw()).isEqualTo(503);
            assertThat(reply.contentType()).startsWith("application/problem+json");
            assertThat(reply.body().get("title").asString()).isEqualTo("Executor unavailable");
            assertThat(reply.body().get("detail").asString()).contains("executor");
            assertThat(reply.raw()).doesNotContain("Exception", "127.0.0.1", "\tat ");
        }
    }
}

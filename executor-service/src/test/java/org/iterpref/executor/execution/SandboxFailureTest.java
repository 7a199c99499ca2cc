package org.iterpref.executor.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.iterpref.executor.support.Programs.assertTest;
import static org.iterpref.executor.support.Programs.execution;

import java.util.List;
import org.iterpref.executor.support.ExecutorClient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** A broken sandbox gives SANDBOX_ERROR (retryable) and an unready service, not a 500. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "iterpref.executor.bubblewrap.executable=/nonexistent/bwrap")
class SandboxFailureTest {

    @LocalServerPort
    int port;

    @Test
    void missingBubblewrapIsSandboxErrorAndReadinessIsDown() {
        ExecutorClient client = new ExecutorClient(port);
        var reply = client.post("/v1/executions", execution("x = 1", List.of(assertTest("t", "assert x == 1"))));
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("verdict").asString()).isEqualTo("SANDBOX_ERROR");
        assertThat(reply.body().get("tests").get(0).get("verdict").asString()).isEqualTo("SANDBOX_ERROR");
        var readiness = client.get("/actuator/health/readiness");
        assertThat(readiness.status()).isEqualTo(503);
        assertThat(readiness.raw()).contains("DOWN");
        assertThat(client.get("/actuator/health/liveness").status()).isEqualTo(200);
    }
}

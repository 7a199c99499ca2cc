package org.iterpref.executor.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.iterpref.executor.support.Programs.assertTest;
import static org.iterpref.executor.support.Programs.execution;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.iterpref.executor.support.ExecutorClient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** One worker and room for one more: a third execution is refused whole, with Retry-After. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"iterpref.executor.workers=1", "iterpref.executor.queue-capacity=1"})
class QueueFullTest {

    @LocalServerPort
    int port;

    @Test
    void batchLargerThanTheFreeRoomGets429WithRetryAfterAndLaterRequestsStillRun() {
        ExecutorClient client = new ExecutorClient(port);
        var one = execution("x = 1", List.of(assertTest("t", "assert x == 1")));
        var reply = client.post("/v1/executions/batch", Map.of("executions", Collections.nCopies(3, one)));
        assertThat(reply.status()).isEqualTo(429);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(Integer.parseInt(reply.retryAfter())).isBetween(1, 60);
        assertThat(reply.body().get("retryAfterSeconds").asInt()).isPositive();

        var fits = client.post("/v1/executions/batch", Map.of("executions", Collections.nCopies(2, one)));
        assertThat(fits.status()).isEqualTo(200);
        assertThat(client.get("/actuator/prometheus").raw()).containsPattern("iterpref_executions_rejected_total\\{[^}]*} 3.0");
    }
}

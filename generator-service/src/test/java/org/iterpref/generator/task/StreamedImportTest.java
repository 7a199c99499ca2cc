package org.iterpref.generator.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.iterpref.generator.support.ExampleTasks;
import org.iterpref.generator.support.GeneratorIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A task import is handled as it arrives: the first tasks are validated while the rest is still on its way. */
class StreamedImportTest extends GeneratorIntegrationTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        database(registry, StreamedImportTest.class);
        // only the import itself validates here: the background round for pending tasks stays away
        registry.add("iterpref.generator.pending-tasks.revalidate-every-ms", () -> "3600000");
    }

    @Test
    void theFirstBatchIsValidatedBeforeTheImportEnds() throws Exception {
        String template = ExampleTasks.first(1).strip();
        String id = JsonMapper.shared().readTree(template).get("id").asString();
        int first = 2 * TaskValidator.BATCH;
        PipedOutputStream writer = new PipedOutputStream();
        PipedInputStream body = new PipedInputStream(writer, 1 << 20);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/v1/tasks/import?format=jsonl&set=streamed"))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body)).build();
        CompletableFuture<HttpResponse<String>> reply = HttpClient.newHttpClient()
                .sendAsync(request, HttpResponse.BodyHandlers.ofString());
        write(writer, template, id, 0, first);

        // the import is still open: the tasks read so far are validated already
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> valid() >= TaskValidator.BATCH);
        assertThat(reply).isNotDone();

        write(writer, template, id, first, first + 10);
        writer.close();
        HttpResponse<String> response = reply.get();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode report = JsonMapper.shared().readTree(response.body());
        assertThat(report.get("imported").asInt()).isEqualTo(first + 10);
        assertThat(report.get("valid").asInt()).isEqualTo(first + 10);
    }

    private static void write(PipedOutputStream writer, String template, String id, int from, int to) throws IOException {
        for (int i = from; i < to; i++) {
            writer.write((template.replace("\"" + id + "\"", "\"streamed-" + i + "\"") + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        writer.flush();
    }

    private long valid() {
        JsonNode page = client().get("/v1/tasks?set=streamed&size=200").body();
        long valid = 0;
        for (JsonNode task : page.get("tasks")) {
            valid += task.get("status").asString().equals("VALID") ? 1 : 0;
        }
        return valid;
    }
}

package org.iterpref.trainer.serving;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A test client for the trainer's HTTP API: JSON calls and Server-Sent Event streams. */
final class ApiClient {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient client = HttpClient.newHttpClient();
    private final int port;

    ApiClient(int port) {
        this.port = port;
    }

    /** A JSON reply. */
    record Reply(int status, String contentType, String retryAfter, JsonNode body) {
    }

    /** A streamed reply: the JSON of every {@code data:} event before {@code [DONE]}, and whether it came. */
    record Events(int status, String contentType, List<JsonNode> chunks, boolean done, JsonNode error) {
    }

    Reply call(String method, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                response.headers().firstValue("Retry-After").orElse(null),
                response.body().isEmpty() ? null : JSON.readTree(response.body()));
    }

    Reply post(String path, String body) throws IOException, InterruptedException {
        return call("POST", path, body);
    }

    Events stream(String path, String body) throws IOException, InterruptedException {
        HttpResponse<java.util.stream.Stream<String>> response =
                client.send(request("POST", path, body), HttpResponse.BodyHandlers.ofLines());
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        List<String> lines = response.body().toList();
        if (!contentType.startsWith("text/event-stream")) {
            return new Events(response.statusCode(), contentType, List.of(), false,
                    JSON.readTree(String.join("\n", lines)));
        }
        List<JsonNode> chunks = new ArrayList<>();
        boolean done = false;
        for (String line : lines) {
            if (line.isEmpty()) {
                continue;
            }
            if (!line.startsWith("data: ")) {
                throw new AssertionError("not an SSE data line: " + line);
            }
            String data = line.substring("data: ".length());
            if (data.equals("[DONE]")) {
                done = true;
            } else if (done) {
                throw new AssertionError("data after [DONE]: " + data);
            } else {
                chunks.add(JSON.readTree(data));
            }
        }
        return new Events(response.statusCode(), contentType, chunks, done, null);
    }

    private HttpRequest request(String method, String path, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json");
        return (body == null ? builder.method(method, HttpRequest.BodyPublishers.noBody())
                : builder.method(method, HttpRequest.BodyPublishers.ofString(body))).build();
    }
}

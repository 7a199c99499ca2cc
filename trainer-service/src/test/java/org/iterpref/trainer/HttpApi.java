package org.iterpref.trainer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A test client for the trainer's HTTP API: JSON calls, multipart uploads, Server-Sent Event streams. */
public final class HttpApi {

    public static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient client = HttpClient.newHttpClient();
    private final String base;

    public HttpApi(int port) {
        this.base = "http://localhost:" + port;
    }

    /** A reply: its status and JSON body (null when empty or not JSON). */
    public record Reply(int status, String contentType, JsonNode body, String raw) {

        /** {@code error.param} of an OpenAI error (null when absent or JSON null). */
        public String errorParam() {
            JsonNode param = body == null ? null : body.at("/error/param");
            return param == null || param.isMissingNode() || param.isNull() ? null : param.asString();
        }
    }

    public Reply get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET().build());
    }

    public Reply delete(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE().build());
    }

    public Reply post(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    public Reply post(String path, Object body) throws IOException, InterruptedException {
        return post(path, JSON.writeValueAsString(body));
    }

    /** {@code POST /v1/files} as multipart/form-data: a file part and plain fields ({@code name, value} pairs). */
    public Reply upload(String filename, byte[] content, String... fields) throws IOException, InterruptedException {
        String boundary = "----iterpref" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i + 1 < fields.length; i += 2) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + fields[i] + "\"\r\n\r\n"
                    + fields[i + 1] + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        if (content != null) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                    + filename + "\"\r\nContent-Type: application/jsonl\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(content);
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(HttpRequest.newBuilder(URI.create(base + "/v1/files"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
    }

    /** The JSON of every {@code data:} line of a Server-Sent Events response up to {@code [DONE]}, and whether it came. */
    public record Events(int status, String contentType, List<JsonNode> events, boolean done) {
    }

    public Events stream(String path) throws IOException, InterruptedException {
        HttpResponse<java.util.stream.Stream<String>> response = client.send(
                HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        List<JsonNode> events = new ArrayList<>();
        boolean done = false;
        for (String line : response.body().toList()) {
            if (!line.startsWith("data:")) {
                continue;
            }
            String data = line.substring("data:".length()).strip();
            if (data.equals("[DONE]")) {
                done = true;
            } else {
                events.add(JSON.readTree(data));
            }
        }
        return new Events(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), events,
                done);
    }

    public byte[] bytes(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
    }

    private Reply send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        JsonNode body = null;
        if (!response.body().isEmpty() && contentType.contains("json")) {
            body = JSON.readTree(response.body());
        }
        return new Reply(response.statusCode(), contentType, body, response.body());
    }
}

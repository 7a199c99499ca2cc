package org.iterpref.cli.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON over HTTP to one of the platform's APIs, below {@code baseUrl} (e.g. the generator's
 * {@code http://127.0.0.1:8082/v1}, or a gateway's {@code https://iterpref.example.com/api}). An API
 * key, when given, is sent as {@code Authorization: Bearer}; it is never printed.
 */
public final class ApiClient {

    private final HttpClient http;
    private final String baseUrl;
    private final String apiKey;
    private final Duration timeout;
    private final JsonMapper json = JsonMapper.builder().build();

    public ApiClient(String baseUrl, String apiKey, Duration timeout) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public String baseUrl() {
        return baseUrl;
    }

    public JsonNode get(String path) {
        return send(request(path).GET());
    }

    public JsonNode post(String path, Object body) {
        return post(path, body, Map.of());
    }

    /** A POST with extra request headers (an {@code Idempotency-Key}). */
    public JsonNode post(String path, Object body, Map<String, String> headers) {
        HttpRequest.Builder request = request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        headers.forEach(request::header);
        return send(request);
    }

    public JsonNode postFile(String path, String contentType, Path file) {
        try {
            return send(request(path).header("Content-Type", contentType).timeout(Duration.ofHours(1))
                    .POST(HttpRequest.BodyPublishers.ofFile(file)));
        } catch (java.io.FileNotFoundException e) {
            throw new ApiException(0, "no such file: " + file);
        }
    }

    /** The body of a text answer (a report). */
    public String text(String path) {
        HttpResponse<String> response = exchange(request(path).GET(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw error(response.statusCode(), response.body());
        }
        return response.body();
    }

    /**
     * Streams an answer into {@code target}, through a temporary file moved into place only once
     * the whole body arrived: a transfer the server aborts (a database failure mid-export) or that
     * breaks leaves no truncated file behind. Returns the bytes written.
     */
    public long download(String path, Path target) {
        HttpResponse<InputStream> response = exchange(request(path).timeout(Duration.ofHours(6)).GET(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw error(response.statusCode(), new String(body.readNBytes(64 * 1024), StandardCharsets.UTF_8));
            }
            Path dir = target.toAbsolutePath().getParent();
            Path partial = Files.createTempFile(dir, "." + target.getFileName() + ".", ".partial");
            try {
                long bytes = Files.copy(body, partial, StandardCopyOption.REPLACE_EXISTING);
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return bytes;
            } finally {
                Files.deleteIfExists(partial);
            }
        } catch (IOException e) {
            throw new ApiException("the transfer of " + url(path) + " broke off: " + e.getMessage()
                    + " (nothing was written to " + target + ")", e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(timeout)
                .header("Accept", "application/json, application/problem+json, */*");
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b;
    }

    private String url(String path) {
        return baseUrl + path;
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpResponse<String> response = exchange(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw error(response.statusCode(), response.body());
        }
        try {
            return json.readTree(response.body());
        } catch (JacksonException e) {
            throw new ApiException(response.statusCode(), "the server's answer is not JSON: " + abbreviate(response.body()));
        }
    }

    private <T> HttpResponse<T> exchange(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) {
        HttpRequest built = request.build();
        try {
            return http.send(built, handler);
        } catch (IOException e) {
            throw new ApiException("cannot reach " + built.uri() + ": " + (e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException("interrupted while calling " + built.uri(), e);
        }
    }

    /** The problem's detail and its field errors (RFC 9457, as every service of the platform answers). */
    private ApiException error(int status, String body) {
        StringBuilder message = new StringBuilder("HTTP " + status);
        try {
            JsonNode problem = json.readTree(body);
            JsonNode detail = problem.has("detail") ? problem.get("detail") : problem.path("error").path("message");
            if (!detail.isMissingNode() && !detail.isNull()) {
                message.append(": ").append(detail.asString());
            } else if (problem.has("title")) {
                message.append(": ").append(problem.get("title").asString());
            }
            JsonNode errors = problem.path("errors");
            if (errors.isArray()) {
                for (JsonNode e : errors) {
                    message.append("\n  ").append(e.path("field").asString()).append(": ").append(e.path("message").asString());
                }
            }
        } catch (JacksonException e) {
            message.append(": ").append(abbreviate(body));
        }
        return new ApiException(status, message.toString());
    }

    private static String abbreviate(String text) {
        String oneLine = text == null ? "" : text.strip().replaceAll("\\s+", " ");
        return oneLine.length() > 300 ? oneLine.substring(0, 300) + "…" : oneLine;
    }
}

package org.iterpref.gateway.error;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.function.ServerResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's own errors in the shape the caller's API speaks: OpenAI's
 * {@code {"error":{"message","type","param","code"}}} on {@code /v1/**}, where OpenAI's SDKs read
 * it, and RFC 9457 problem+json everywhere else.
 */
@Component
public class ErrorResponses {

    private final JsonMapper json;

    public ErrorResponses(JsonMapper json) {
        this.json = json;
    }

    public static boolean isOpenAiPath(String path) {
        return path.equals("/v1") || path.startsWith("/v1/");
    }

    /** Writes the error to a response nothing has been written to yet. */
    public void write(String path, HttpServletResponse response, GatewayError error) throws IOException {
        response.setStatus(error.status().value());
        response.setContentType(mediaType(path).toString());
        response.getOutputStream().write(json.writeValueAsBytes(body(path, error)));
    }

    public ServerResponse response(String path, GatewayError error) {
        return ServerResponse.status(error.status()).contentType(mediaType(path)).body(body(path, error));
    }

    private static MediaType mediaType(String path) {
        return isOpenAiPath(path) ? MediaType.APPLICATION_JSON : MediaType.APPLICATION_PROBLEM_JSON;
    }

    static Map<String, Object> body(String path, GatewayError error) {
        if (isOpenAiPath(path)) {
            Map<String, Object> inner = new LinkedHashMap<>();
            inner.put("message", error.detail());
            inner.put("type", error.openAiType());
            inner.put("param", error.field());
            inner.put("code", error.openAiCode());
            return Map.of("error", inner);
        }
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "urn:iterpref:problem:" + error.title().toLowerCase().replace(' ', '-'));
        problem.put("title", error.title());
        problem.put("status", error.status().value());
        problem.put("detail", error.detail());
        problem.put("instance", path);
        if (error.field() != null) {
            problem.put("field", error.field());
            problem.put("errors", List.of(Map.of("field", error.field(), "message", error.detail())));
        }
        return problem;
    }
}

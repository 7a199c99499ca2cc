package org.iterpref.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * The two error bodies a service speaks: RFC 9457 problem+json, and OpenAI's
 * {@code {"error":{"message","type","param","code"}}} on the paths where OpenAI's SDKs read errors
 * ({@code iterpref.web.openai-error-paths}, e.g. the trainer's and the gateway's {@code /v1/}).
 */
public final class ErrorBodies {

    private final List<String> openAiPaths;
    private final boolean openAiWhenUnknown;

    public ErrorBodies(List<String> openAiPaths) {
        this(openAiPaths, false);
    }

    /** {@code openAiWhenUnknown}: the shape for a request whose path could not be read (a service all OpenAI). */
    public ErrorBodies(List<String> openAiPaths, boolean openAiWhenUnknown) {
        this.openAiPaths = List.copyOf(openAiPaths);
        this.openAiWhenUnknown = openAiWhenUnknown;
    }

    public boolean isOpenAiPath(String path) {
        if (path == null) {
            return openAiWhenUnknown;
        }
        return openAiPaths.stream().anyMatch(p -> path.startsWith(p) || (path + "/").equals(p));
    }

    /** A body for {@code status} on {@code path}, in the shape that path's clients read. */
    public Map<String, Object> body(String path, int status, String title, String detail, String field) {
        if (isOpenAiPath(path)) {
            return openAi(status, detail, field);
        }
        Map<String, Object> problem = problem(status, title, detail);
        if (field != null) {
            problem.put("field", field);
        }
        return problem;
    }

    public static Map<String, Object> openAi(int status, String message, String param) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", openAiType(status));
        error.put("param", param);
        error.put("code", null);
        return Map.of("error", error);
    }

    public static Map<String, Object> problem(int status, String title, String detail) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "urn:iterpref:problem:" + title.toLowerCase().replace(' ', '-'));
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        return problem;
    }

    /** A status's reason phrase, the title of a problem that has no better one. */
    public static String title(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return known == null ? "Error " + status : known.getReasonPhrase();
    }

    static String openAiType(int status) {
        return switch (status) {
            case 401 -> "invalid_request_error";
            case 403 -> "permission_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }

    /** A detail that names no internals, for errors that reach a service before any of its code. */
    public static String genericDetail(int status) {
        return switch (status) {
            case 400 -> "The request could not be read: its request line, headers or encoding are malformed or too large.";
            case 404 -> "There is nothing at this path.";
            case 405 -> "The request method is not supported for this path.";
            case 406 -> "None of the accepted media types can be produced.";
            case 413 -> "The request is too large.";
            case 415 -> "The request's media type is not supported here.";
            case 431 -> "The request headers are too large.";
            default -> status >= 500 ? "The service failed unexpectedly; the failure is logged."
                    : "The request failed (" + title(status) + ").";
        };
    }
}

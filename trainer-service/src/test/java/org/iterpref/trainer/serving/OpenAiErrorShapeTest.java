package org.iterpref.trainer.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.iterpref.trainer.ApiOnlyContext;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Errors raised before any OpenAI controller is chosen — a method the path does not have, a
 * Content-Type that cannot be parsed, TRACE, headers too large — answer OpenAI's error shape on
 * {@code /v1/**} as every other error there (the reliability fuzzer found problem+json, Spring
 * Boot's error JSON and Tomcat's HTML page).
 */
class OpenAiErrorShapeTest extends ApiOnlyContext {

    static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void aMethodThePathDoesNotHaveAnswersOpenAisShape() throws IOException {
        assertOpenAiError(send("DELETE /v1/fine_tuning/jobs HTTP/1.1\r\n"), 405);
    }

    @Test
    void anUnparsableContentTypeAnswersOpenAisShape() throws IOException {
        assertOpenAiError(send("POST /v1/fine_tuning/jobs HTTP/1.1\r\nContent-Type: ;;;\r\nContent-Length: 2\r\n",
                "{}"), 415);
    }

    @Test
    void traceAnswersOpenAisShape() throws IOException {
        assertOpenAiError(send("TRACE /v1/files HTTP/1.1\r\n"), 405);
    }

    @Test
    void headersTooLargeAnswerOpenAisShape() throws IOException {
        assertOpenAiError(send("GET /v1/models HTTP/1.1\r\nX-Big: " + "a".repeat(20_000) + "\r\n"), 400);
    }

    private static void assertOpenAiError(String response, int status) {
        assertThat(response).startsWith("HTTP/1.1 " + status);
        String head = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase();
        assertThat(head).contains("content-type: application/json");
        String body = response.substring(response.indexOf("\r\n\r\n") + 4);
        if (head.contains("transfer-encoding: chunked")) {
            int line = body.indexOf("\r\n");
            body = body.substring(line + 2, line + 2 + Integer.parseInt(body.substring(0, line).trim(), 16));
        }
        JsonNode error = JSON.readTree(body).get("error");
        assertThat(error.get("message").isString()).as(body).isTrue();
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
    }

    private String send(String head) throws IOException {
        return send(head, "");
    }

    private String send(String head, String body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write((head + "Host: 127.0.0.1\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

package org.iterpref.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Errors no controller sees — Tomcat's own (headers too large, a method it does not implement), the
 * container's error dispatch (TRACE), Spring MVC's before a controller is chosen (405), a multipart
 * body that cannot be parsed — answer in the caller's shape: problem+json, OpenAI's on OpenAI paths.
 * Found by the reliability module's bad-input fuzzer (Tomcat's HTML page, Boot's error JSON, 500s).
 */
@SpringBootTest(classes = HttpLevelErrorsTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "iterpref.web.openai-error-paths=/v1/")
class HttpLevelErrorsTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Test
    void headersTooLargeAnswerProblemJsonNotTomcatsHtmlPage() throws IOException {
        Reply reply = send("GET /api/things HTTP/1.1\r\nX-Big: " + "a".repeat(20_000) + "\r\n", null);

        assertThat(reply.status).isEqualTo(400);
        assertProblem(reply, 400);
    }

    @Test
    void headersTooLargeOnAnOpenAiPathAnswerOpenAisShape() throws IOException {
        Reply reply = send("GET /v1/things HTTP/1.1\r\nX-Big: " + "a".repeat(20_000) + "\r\n", null);

        assertThat(reply.status).isEqualTo(400);
        assertOpenAi(reply);
    }

    @Test
    void aNulInAQueryParameterIsA400NamingIt() throws IOException {
        // reached a PostgreSQL filter in the generator's evaluation list: a 500 (found by BadInputFuzzIT)
        Reply reply = send("GET /api/things/query?q=a%00b HTTP/1.1\r\n", null);

        assertThat(reply.status).isEqualTo(400);
        assertProblem(reply, 400);
        assertThat(JSON.readTree(reply.body).toString()).contains("q");
        assertThat(send("GET /v1/things?model=%00 HTTP/1.1\r\n", null).status).isEqualTo(400);
        assertThat(send("GET /api/things/query?q=%zz HTTP/1.1\r\n", null).status).isEqualTo(400);
        assertThat(send("GET /api/things/query?q=a%20b&r=%E2%9C%93 HTTP/1.1\r\n", null).status).isEqualTo(200);
    }

    @Test
    void connectIsRefusedWith405InProblemJson() throws IOException {
        Reply reply = send("CONNECT /api/things HTTP/1.1\r\n", null);

        assertThat(reply.status).isEqualTo(405);
        assertProblem(reply, 405);
    }

    @Test
    void traceIsRefusedWith405InProblemJsonNotBootsErrorJson() throws IOException {
        Reply reply = send("TRACE /api/things HTTP/1.1\r\n", null);

        assertThat(reply.status).isEqualTo(405);
        assertProblem(reply, 405);
        assertThat(reply.body).doesNotContain("timestamp");
    }

    @Test
    void traceOnAnOpenAiPathAnswersOpenAisShape() throws IOException {
        Reply reply = send("TRACE /v1/things HTTP/1.1\r\n", null);

        assertThat(reply.status).isEqualTo(405);
        assertOpenAi(reply);
    }

    @Test
    void anUnsupportedMethodOnAnOpenAiPathAnswersOpenAisShape() throws IOException {
        Reply reply = send("PATCH /v1/things HTTP/1.1\r\n", null);

        assertThat(reply.status).isEqualTo(405);
        assertOpenAi(reply);
    }

    @Test
    void anUnsupportedMethodElsewhereStaysProblemJson() throws IOException {
        Reply reply = send("PATCH /api/things HTTP/1.1\r\n", null);

        assertThat(reply.status).isEqualTo(405);
        assertProblem(reply, 405);
    }

    @Test
    void aMultipartBodyCutShortIsABadRequestNotAServerError() throws IOException {
        Reply reply = send("POST /api/things HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=b\r\n",
                "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx");

        assertThat(reply.status).isEqualTo(400);
        assertProblem(reply, 400);
    }

    @Test
    void theErrorPageAskedForDirectlyIsNotFoundNotAServerError() throws IOException {
        Reply reply = send("GET /error HTTP/1.1\r\n", null);

        assertThat(reply.status).isEqualTo(404);
        assertProblem(reply, 404);
    }

    @Test
    void aWildcardContentTypeIsRefusedWith415NotAServerError() throws IOException {
        Reply reply = send("POST /api/things/read HTTP/1.1\r\nContent-Type: */*\r\n", "{}");

        assertThat(reply.status).isEqualTo(415);
        assertProblem(reply, 415);
    }

    @Test
    void aWildcardSubtypeOnAnOpenAiPathIsRefusedWith415InOpenAisShape() throws IOException {
        Reply reply = send("POST /v1/things HTTP/1.1\r\nContent-Type: application/*\r\n", "{}");

        assertThat(reply.status).isEqualTo(415);
        assertOpenAi(reply);
    }

    @Test
    void aQueryTomcatCannotParseIsABadRequestNotAServerError() throws IOException {
        Reply reply = send("GET /api/things/query?=1 HTTP/1.1\r\n", null);

        assertThat(reply.status).isEqualTo(400);
        assertProblem(reply, 400);
    }

    private static void assertProblem(Reply reply, int status) {
        assertThat(reply.contentType).startsWith("application/problem+json");
        JsonNode body = JSON.readTree(reply.body);
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("title").isString()).isTrue();
        assertThat(body.get("detail").isString()).isTrue();
    }

    private static void assertOpenAi(Reply reply) {
        assertThat(reply.contentType).startsWith("application/json");
        JsonNode error = JSON.readTree(reply.body).get("error");
        assertThat(error.get("message").isString()).isTrue();
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
    }

    record Reply(int status, String contentType, String body) {
    }

    private Reply send(String head, String body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            String request = head + "Host: 127.0.0.1\r\nConnection: close\r\n"
                    + (body == null ? "" : "Content-Length: " + body.length() + "\r\n") + "\r\n" + (body == null ? "" : body);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            String contentType = "";
            for (String line : text.substring(0, end).split("\r\n")) {
                if (line.toLowerCase().startsWith("content-type:")) {
                    contentType = line.substring(13).trim();
                }
            }
            String rest = text.substring(end + 4);
            if (text.substring(0, end).toLowerCase().contains("transfer-encoding: chunked")) {
                rest = dechunk(rest);
            }
            return new Reply(Integer.parseInt(text.substring(9, 12)), contentType, rest);
        }
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int line = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, line).trim(), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(chunked, line + 2, line + 2 + size);
            at = line + 2 + size + 2;
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @RestController
        static class Things {

            @GetMapping("/api/things")
            String apiThings() {
                return "{}";
            }

            @PostMapping("/api/things")
            String postApiThings() {
                return "{}";
            }

            @GetMapping("/api/things/query")
            String query(@org.springframework.web.bind.annotation.RequestParam(required = false) String q) {
                return "{}";
            }

            @GetMapping("/v1/things")
            String v1Things() {
                return "{}";
            }

            @PostMapping("/v1/things")
            Map<String, Object> postV1Things(@RequestBody Map<String, Object> body) {
                return body;
            }

            @PostMapping("/api/things/read")
            Map<String, Object> readApiThings(@RequestBody Map<String, Object> body) {
                return body;
            }
        }

        @RestControllerAdvice
        static class Problems extends ApiProblemHandler {
        }
    }
}

package org.iterpref.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * A request body of the wrong type is a 400, not coerced: found by the reliability fuzzer, which
 * saw {"burst": 12.5} make a key with a burst of 12 and {"id": 99999999999999999999} or
 * {"name": -1e309} stored as strings.
 */
@SpringBootTest(classes = StrictJsonBodiesTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StrictJsonBodiesTest {

    @LocalServerPort
    int port;

    @Test
    void aBodyOfTheDeclaredTypesIsRead() throws Exception {
        HttpResponse<String> response = post("{\"name\":\"x\",\"count\":3,\"ratio\":1}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"count\":3").contains("\"ratio\":1.0");
    }

    @Test
    void aNumberWhereTextIsDeclaredIsRefused() throws Exception {
        assertThat(post("{\"name\":12,\"count\":3}").statusCode()).isEqualTo(400);
        assertThat(post("{\"name\":-1e309,\"count\":3}").statusCode()).isEqualTo(400);
        assertThat(post("{\"name\":99999999999999999999999,\"count\":3}").statusCode()).isEqualTo(400);
    }

    @Test
    void aBooleanWhereTextIsDeclaredIsRefused() throws Exception {
        assertThat(post("{\"name\":true,\"count\":3}").statusCode()).isEqualTo(400);
    }

    @Test
    void aFractionWhereAnIntegerIsDeclaredIsRefusedNotTruncated() throws Exception {
        HttpResponse<String> response = post("{\"name\":\"x\",\"count\":12.5}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).contains("count");
    }

    @Test
    void textWhereANumberIsDeclaredIsRefusedNotTakenForTheDefault() throws Exception {
        assertThat(post("{\"name\":\"x\",\"count\":\"12\"}").statusCode()).isEqualTo(400);
        assertThat(post("{\"name\":\"x\",\"count\":\"\\u0017\\u0000\"}").statusCode()).isEqualTo(400);
        assertThat(post("{\"name\":\"x\",\"ratio\":\" \"}").statusCode()).isEqualTo(400);
    }

    @Test
    void textWithANulOrAnUnpairedSurrogateIsRefused() throws Exception {
        assertThat(post("{\"name\":\"a\\u0000b\",\"count\":3}").statusCode()).isEqualTo(400);
        assertThat(post("{\"name\":\"\\ud800\",\"count\":3}").statusCode()).isEqualTo(400);
        assertThat(post("{\"name\":\"x\\udfff\",\"count\":3}").statusCode()).isEqualTo(400);
        assertThat(post("{\"name\":\"\\ud83d\\ude00\",\"count\":3}").statusCode()).isEqualTo(200);
    }

    @Test
    void aBodyReadAsBytesIsLeftAlone() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/bytes")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":12}")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("11");
    }

    private HttpResponse<String> post(String json) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/typed"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    record Typed(String name, Integer count, Double ratio) {
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @RestController
        static class Typing {

            @PostMapping("/bytes")
            String bytes(@RequestBody byte[] body) {
                return Integer.toString(body.length);
            }

            @PostMapping("/typed")
            Typed typed(@RequestBody Typed typed) {
                return typed;
            }
        }

        @RestControllerAdvice
        static class Problems extends ApiProblemHandler {
        }
    }
}

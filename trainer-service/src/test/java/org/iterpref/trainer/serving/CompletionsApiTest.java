package org.iterpref.trainer.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.iterpref.trainer.TrainerApplication;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The OpenAI-compatible API over real HTTP, on the packaged tiny-qwen2 model. */
@SpringBootTest(classes = TrainerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CompletionsApiTest {

    private static final Path FIXTURE = org.iterpref.trainer.Fixtures.model("tiny-qwen2");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient client = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    ModelRegistry registry;

    record Reply(int status, String contentType, String retryAfter, JsonNode body) {
    }

    private Reply send(String method, String path, String body) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json");
        builder = body == null ? builder.GET() : builder.method(method, HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                response.headers().firstValue("Retry-After").orElse(null), JSON.readTree(response.body()));
    }

    private Reply complete(String body) throws Exception {
        return send("POST", "/v1/completions", body);
    }

    private static long[] ids(JsonNode array) {
        long[] ids = new long[array.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = array.get(i).longValue();
        }
        return ids;
    }

    private JsonNode expected() throws Exception {
        return JSON.readTree(FIXTURE.resolve("expected_greedy.json").toFile());
    }

    @Test
    void listsTheModel() throws Exception {
        Reply reply = send("GET", "/v1/models", null);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("object").asString()).isEqualTo("list");
        JsonNode model = reply.body().get("data").get(0);
        assertThat(model.get("id").asString()).isEqualTo("tiny-qwen2");
        assertThat(model.get("object").asString()).isEqualTo("model");
        assertThat(model.get("owned_by").asString()).isEqualTo("iterpref");
    }

    @Test
    void greedyCompletionMatchesTheReference() throws Exception {
        JsonNode expected = expected();
        String prompt = expected.get("prompt_ids").toString();
        Reply reply = complete("{\"model\":\"tiny-qwen2\",\"prompt\":" + prompt
                + ",\"max_tokens\":12,\"temperature\":0,\"logprobs\":0}");
        assertThat(reply.status()).isEqualTo(200);
        JsonNode body = reply.body();
        assertThat(body.get("object").asString()).isEqualTo("text_completion");
        assertThat(body.get("model").asString()).isEqualTo("tiny-qwen2");
        JsonNode choice = body.get("choices").get(0);
        assertThat(choice.get("finish_reason").asString()).isEqualTo("length");
        long[] want = ids(expected.get("greedy_new_ids"));
        LoadedModel model = registry.find("tiny-qwen2").orElseThrow();
        assertThat(choice.get("text").asString()).isEqualTo(model.tokenizer().decode(want, true));
        assertThat(choice.get("logprobs").get("tokens")).hasSize(12);
        List<String> tokens = new ArrayList<>();
        for (long id : want) {
            tokens.add(model.tokenizer().decode(new long[] {id}, false));
        }
        List<String> got = new ArrayList<>();
        choice.get("logprobs").get("tokens").forEach(t -> got.add(t.asString()));
        assertThat(got).isEqualTo(tokens);
        int promptTokens = expected.get("prompt_ids").size();
        assertThat(body.get("usage").get("prompt_tokens").intValue()).isEqualTo(promptTokens);
        assertThat(body.get("usage").get("completion_tokens").intValue()).isEqualTo(12);
        assertThat(body.get("usage").get("total_tokens").intValue()).isEqualTo(promptTokens + 12);
    }

    @Test
    void echoReturnsThePromptLogProbs() throws Exception {
        JsonNode expected = expected();
        long[] prompt = ids(expected.get("prompt_ids"));
        Reply reply = complete("{\"model\":\"tiny-qwen2\",\"prompt\":" + expected.get("prompt_ids")
                + ",\"max_tokens\":0,\"echo\":true,\"logprobs\":0}");
        assertThat(reply.status()).isEqualTo(200);
        JsonNode logprobs = reply.body().get("choices").get(0).get("logprobs");
        JsonNode values = logprobs.get("token_logprobs");
        assertThat(values).hasSize(prompt.length);
        assertThat(values.get(0).isNull()).isTrue();
        float[] want = registry.find("tiny-qwen2").orElseThrow().model().promptLogProbs(prompt, 0).chosen();
        for (int i = 1; i < prompt.length; i++) {
            assertThat(values.get(i).doubleValue()).isCloseTo(want[i - 1], within(1e-5));
        }
        assertThat(logprobs.get("text_offset").get(0).intValue()).isZero();
        assertThat(reply.body().get("usage").get("completion_tokens").intValue()).isZero();
    }

    @Test
    void seededSamplingIsReproducible() throws Exception {
        String body = "{\"model\":\"tiny-qwen2\",\"prompt\":\"def add(a, b):\",\"max_tokens\":8,"
                + "\"temperature\":1.0,\"top_p\":0.9,\"n\":2,\"seed\":42}";
        Reply first = complete(body);
        Reply second = complete(body);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body().get("choices")).hasSize(2);
        assertThat(second.body().get("choices")).isEqualTo(first.body().get("choices"));
        int completion = 0;
        for (JsonNode choice : first.body().get("choices")) {
            assertThat(choice.get("finish_reason").asString()).isIn("stop", "length");
        }
        completion = first.body().get("usage").get("completion_tokens").intValue();
        assertThat(completion).isBetween(2, 16);
    }

    @Test
    void unknownModelIs404() throws Exception {
        Reply reply = complete("{\"model\":\"nope\",\"prompt\":\"x\"}");
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.contentType()).startsWith("application/json");
        assertThat(reply.body().get("error").get("param").asString()).isEqualTo("model");
        assertThat(reply.body().get("error").get("type").asString()).isEqualTo("invalid_request_error");
    }

    @Test
    void negativeTemperatureIs400() throws Exception {
        Reply reply = complete("{\"model\":\"tiny-qwen2\",\"prompt\":\"x\",\"temperature\":-0.5}");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.contentType()).startsWith("application/json");
        assertThat(reply.body().get("error").get("param").asString()).isEqualTo("temperature");
        assertThat(reply.body().get("error").get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(reply.body().get("error").has("code")).isTrue();
    }

    @Test
    void maxTokensBeyondTheContextIs400() throws Exception {
        Reply reply = complete("{\"model\":\"tiny-qwen2\",\"prompt\":[1,2,3],\"max_tokens\":510}");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().get("error").get("param").asString()).isEqualTo("max_tokens");
    }

    @Test
    void nOutOfRangeIs400() throws Exception {
        Reply reply = complete("{\"model\":\"tiny-qwen2\",\"prompt\":\"x\",\"n\":9}");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().get("error").get("param").asString()).isEqualTo("n");
    }

    /** Found by the reliability fuzzer: the tokenizer failed on an unpaired surrogate with a 500. */
    @Test
    void aPromptWithAnUnpairedSurrogateIs400() throws Exception {
        Reply reply = complete("{\"model\":\"tiny-qwen2\",\"prompt\":\"a\\ud800b\",\"max_tokens\":1}");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().get("error").get("param").asString()).isEqualTo("prompt");
    }

    @Test
    void aChatMessageWithAnUnpairedSurrogateIs400() throws Exception {
        Reply reply = send("POST", "/v1/chat/completions", "{\"model\":\"tiny-qwen2\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"\\udfff\"}],\"max_tokens\":1}");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().get("error").get("param").asString()).isEqualTo("messages");
    }

    @Test
    void malformedJsonIs400() throws Exception {
        Reply reply = complete("{\"model\": \"tiny-qwen2\", ");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.contentType()).startsWith("application/json");
        assertThat(reply.body().get("error").get("type").asString()).isEqualTo("invalid_request_error");
    }


    @Test
    void registeringModelsIsOffWithoutAnAdminRoot() throws Exception {
        Reply reply = send("POST", "/v1/models", "{\"id\":\"x\",\"path\":\"/tmp\"}");
        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.body().get("error").get("code").asString()).isEqualTo("registration_disabled");
    }

    @Test
    void theApiIsDocumentedWithOpenApi() throws Exception {
        Reply reply = send("GET", "/v3/api-docs", null);
        assertThat(reply.status()).isEqualTo(200);
        JsonNode paths = reply.body().get("paths");
        assertThat(paths.has("/v1/completions")).isTrue();
        assertThat(paths.has("/v1/chat/completions")).isTrue();
        assertThat(paths.has("/v1/models")).isTrue();
    }
}

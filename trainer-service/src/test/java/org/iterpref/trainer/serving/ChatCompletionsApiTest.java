package org.iterpref.trainer.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.iterpref.trainer.TrainerApplication;
import org.iterpref.trainer.serving.ChatCompletionRequest.ChatMessage;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code POST /v1/chat/completions} over real HTTP, on the packaged tiny-qwen2 model. */
@SpringBootTest(classes = TrainerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ChatCompletionsApiTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String MESSAGES = "[{\"role\":\"system\",\"content\":\"You are terse.\"},"
            + "{\"role\":\"user\",\"content\":\"def add(a, b):\"}]";
    private final HttpClient client = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    ModelRegistry registry;

    record Reply(int status, String contentType, JsonNode body) {
    }

    private Reply chat(String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                JSON.readTree(response.body()));
    }

    private LoadedModel model() {
        return registry.find("tiny-qwen2").orElseThrow();
    }

    private long[] chatMlIds() {
        String text = "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\ndef add(a, b):<|im_end|>\n"
                + "<|im_start|>assistant\n";
        assertThat(ChatPrompt.chatMl(List.of(new ChatMessage("system", "You are terse."),
                new ChatMessage("user", "def add(a, b):")))).isEqualTo(text);
        return model().tokenizer().encode(text).ids();
    }

    private static void assertError(Reply reply, int status, String param) {
        assertThat(reply.status()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/json");
        JsonNode error = reply.body().get("error");
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.get("message").asString()).isNotBlank();
        assertThat(error.has("code")).isTrue();
        assertThat(error.get("param").asString()).isEqualTo(param);
    }

    @Test
    void greedyChatIsDeterministicAndMatchesTheModel() throws Exception {
        String body = "{\"model\":\"tiny-qwen2\",\"messages\":" + MESSAGES + ",\"temperature\":0,\"max_tokens\":10,"
                + "\"n\":1}";
        Reply first = chat(body);
        Reply second = chat(body);
        assertThat(first.status()).isEqualTo(200);
        JsonNode json = first.body();
        assertThat(json.get("id").asString()).startsWith("chatcmpl-");
        assertThat(json.get("object").asString()).isEqualTo("chat.completion");
        assertThat(json.get("created").longValue()).isPositive();
        assertThat(json.get("model").asString()).isEqualTo("tiny-qwen2");
        JsonNode choice = json.get("choices").get(0);
        assertThat(choice.get("index").intValue()).isZero();
        assertThat(choice.get("message").get("role").asString()).isEqualTo("assistant");
        assertThat(second.body().get("choices")).isEqualTo(json.get("choices"));

        long[] prompt = chatMlIds();
        long[] greedy = model().model().generateGreedy(prompt, 10);
        long imEnd = model().tokenizer().tokenId("<|im_end|>").orElseThrow();
        List<Long> kept = new ArrayList<>();
        boolean stopped = false;
        for (long id : greedy) {
            if (id == imEnd || model().tokenizer().specialTokens().isEos(id)) {
                stopped = true;
                break;
            }
            kept.add(id);
        }
        long[] keptIds = kept.stream().mapToLong(Long::longValue).toArray();
        assertThat(choice.get("message").get("content").asString())
                .isEqualTo(model().tokenizer().decode(keptIds, true));
        assertThat(choice.get("finish_reason").asString()).isEqualTo(stopped ? "stop" : "length");
        JsonNode usage = json.get("usage");
        assertThat(usage.get("completion_tokens").intValue()).isEqualTo(keptIds.length + (stopped ? 1 : 0));
        assertThat(usage.get("prompt_tokens").intValue()).isEqualTo(prompt.length);
        assertThat(usage.get("total_tokens").intValue())
                .isEqualTo(prompt.length + usage.get("completion_tokens").intValue());
    }

    @Test
    void chatMlMarkersAreSingleTokens() {
        long[] ids = chatMlIds();
        long imStart = model().tokenizer().tokenId("<|im_start|>").orElseThrow();
        assertThat(ids[0]).isEqualTo(imStart);
        assertThat(ids).contains(model().tokenizer().tokenId("<|im_end|>").orElseThrow());
    }

    @Test
    void maxTokensIsRespected() throws Exception {
        Reply reply = chat("{\"model\":\"tiny-qwen2\",\"messages\":" + MESSAGES + ",\"temperature\":0,"
                + "\"max_tokens\":3}");
        assertThat(reply.status()).isEqualTo(200);
        JsonNode choice = reply.body().get("choices").get(0);
        int completion = reply.body().get("usage").get("completion_tokens").intValue();
        long[] greedy = model().model().generateGreedy(chatMlIds(), 3);
        long imEnd = model().tokenizer().tokenId("<|im_end|>").orElseThrow();
        boolean anyStop = false;
        for (long id : greedy) {
            anyStop |= id == imEnd || model().tokenizer().specialTokens().isEos(id);
        }
        assertThat(anyStop).as("the tiny model's first 3 greedy tokens of this chat hold no stop token").isFalse();
        assertThat(completion).isEqualTo(3);
        assertThat(choice.get("finish_reason").asString()).isEqualTo("length");
    }

    @Test
    void seededSamplingIsReproducible() throws Exception {
        String body = "{\"model\":\"tiny-qwen2\",\"messages\":" + MESSAGES + ",\"temperature\":1.0,\"top_p\":0.9,"
                + "\"max_tokens\":8,\"seed\":7}";
        Reply first = chat(body);
        Reply second = chat(body);
        assertThat(first.status()).isEqualTo(200);
        assertThat(second.body().get("choices")).isEqualTo(first.body().get("choices"));
        assertThat(second.body().get("usage")).isEqualTo(first.body().get("usage"));
        assertThat(first.body().get("choices").get(0).get("finish_reason").asString()).isIn("stop", "length");
        assertThat(first.body().get("usage").get("completion_tokens").intValue()).isBetween(1, 8);
    }

    @Test
    void stopStringCutsTheContent() throws Exception {
        Reply greedy = chat("{\"model\":\"tiny-qwen2\",\"messages\":" + MESSAGES + ",\"temperature\":0,"
                + "\"max_tokens\":10}");
        String content = greedy.body().get("choices").get(0).get("message").get("content").asString();
        assertThat(content.length()).as("the tiny model's greedy reply is long enough to cut").isGreaterThanOrEqualTo(2);
        String stop = content.substring(content.length() / 2, content.length() / 2 + 1);
        Reply reply = chat("{\"model\":\"tiny-qwen2\",\"messages\":" + MESSAGES + ",\"temperature\":0,"
                + "\"max_tokens\":10,\"stop\":" + JSON.writeValueAsString(stop) + "}");
        JsonNode choice = reply.body().get("choices").get(0);
        assertThat(choice.get("finish_reason").asString()).isEqualTo("stop");
        assertThat(choice.get("message").get("content").asString()).doesNotContain(stop);
        assertThat(content).startsWith(choice.get("message").get("content").asString());
    }

    @Test
    void unknownModelIs404() throws Exception {
        Reply reply = chat("{\"model\":\"nope\",\"messages\":" + MESSAGES + "}");
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.body().get("error").get("param").asString()).isEqualTo("model");
        assertThat(reply.body().get("error").get("code").asString()).isEqualTo("model_not_found");
    }

    @Test
    void badMessagesAre400() throws Exception {
        for (String messages : List.of("", ",\"messages\":[]", ",\"messages\":\"hi\"",
                ",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]",
                ",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}]}]",
                ",\"messages\":[{\"role\":\"user\",\"content\":null}]",
                ",\"messages\":[{\"role\":\"user\"}]", ",\"messages\":[42]")) {
            assertError(chat("{\"model\":\"tiny-qwen2\"" + messages + "}"), 400, "messages");
        }
    }

    @Test
    void negativeTemperatureIs400() throws Exception {
        assertError(chat("{\"model\":\"tiny-qwen2\",\"messages\":" + MESSAGES + ",\"temperature\":-1}"),
                400, "temperature");
    }

    @Test
    void promptTooLongIs400() throws Exception {
        String longText = "hello world ".repeat(2000);
        assertError(chat("{\"model\":\"tiny-qwen2\",\"messages\":[{\"role\":\"user\",\"content\":\"" + longText
                + "\"}]}"), 400, "messages");
    }

    @Test
    void maxTokensBeyondTheContextIs400() throws Exception {
        int context = model().contextLength();
        assertError(chat("{\"model\":\"tiny-qwen2\",\"messages\":" + MESSAGES + ",\"max_tokens\":" + context + "}"),
                400, "max_tokens");
    }
}

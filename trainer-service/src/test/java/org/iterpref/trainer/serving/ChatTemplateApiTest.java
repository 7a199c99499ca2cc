package org.iterpref.trainer.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.iterpref.trainer.TrainerApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v1/chat/completions} over real HTTP on models whose tokenizer config brings a
 * Jinja chat template: tiny-llama with a Llama-3-style template (its special tokens are not in
 * the tiny vocabulary, so they tokenize as text), with an unparseable template, and with a
 * template that rejects non-alternating roles.
 */
@SpringBootTest(classes = TrainerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ChatTemplateApiTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String MESSAGES = "[{\"role\":\"system\",\"content\":\"You are terse.\"},"
            + "{\"role\":\"user\",\"content\":\"def add(a, b):\"}]";
    /** What llama3.jinja renders for MESSAGES with BOS {@code <|endoftext|>}. */
    private static final String PROMPT = "<|endoftext|><|start_header_id|>system<|end_header_id|>\n\nYou are terse."
            + "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\ndef add(a, b):<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n";
    private static final Path MODELS = temporaryDirectory();

    private final HttpClient client = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    ModelRegistry registry;

    @DynamicPropertySource
    static void models(DynamicPropertyRegistry properties) {
        Path llama = ChatModels.model("tiny-llama", MODELS.resolve("llama3"), ChatModels.template("llama3.jinja"));
        Path alternating = ChatModels.model("tiny-llama", MODELS.resolve("llama2"),
                ChatModels.template("llama2.jinja"));
        Path broken = ChatModels.model("tiny-llama", MODELS.resolve("broken"),
                "{% for message in messages %}\n{{ message.content }\n{% endfor %}");
        properties.add("iterpref.trainer.models.llama3-template", llama::toString);
        properties.add("iterpref.trainer.models.llama2-template", alternating::toString);
        properties.add("iterpref.trainer.models.broken-template", broken::toString);
    }

    @AfterAll
    static void removeModels() throws IOException {
        try (Stream<Path> paths = Files.walk(MODELS)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("chat-template-models-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Reply(int status, String contentType, JsonNode body) {
    }

    private Reply post(String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                JSON.readTree(response.body()));
    }

    private static void assertError(Reply reply, String param, String... fragments) {
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.contentType()).startsWith("application/json");
        JsonNode error = reply.body().get("error");
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.get("param").asString()).isEqualTo(param);
        assertThat(error.has("code")).isTrue();
        assertThat(error.get("message").asString()).contains(fragments);
    }

    @Test
    void greedyChatRendersTheModelsTemplateAndMatchesTheModel() throws Exception {
        Reply reply = post("/v1/chat/completions", "{\"model\":\"llama3-template\",\"messages\":" + MESSAGES
                + ",\"temperature\":0,\"max_tokens\":10}");
        assertThat(reply.status()).isEqualTo(200);
        LoadedModel llama = registry.find("llama3-template").orElseThrow();
        long[] prompt = llama.tokenizer().encode(PROMPT).ids();
        JsonNode usage = reply.body().get("usage");
        assertThat(usage.get("prompt_tokens").intValue()).isEqualTo(prompt.length);
        assertThat(prompt.length).as("the rendered template, not ChatML").isNotEqualTo(
                llama.tokenizer().encode(ChatPrompt.chatMl(List.of(
                        new ChatCompletionRequest.ChatMessage("system", "You are terse."),
                        new ChatCompletionRequest.ChatMessage("user", "def add(a, b):")))).ids().length);

        long[] greedy = llama.model().generateGreedy(prompt, 10);
        long imEnd = llama.tokenizer().tokenId("<|im_end|>").orElseThrow();
        List<Long> kept = new ArrayList<>();
        boolean stopped = false;
        for (long id : greedy) {
            if (id == imEnd || llama.tokenizer().specialTokens().isEos(id)) {
                stopped = true;
                break;
            }
            kept.add(id);
        }
        long[] keptIds = kept.stream().mapToLong(Long::longValue).toArray();
        JsonNode choice = reply.body().get("choices").get(0);
        assertThat(choice.get("message").get("content").asString()).isEqualTo(llama.tokenizer().decode(keptIds, true));
        assertThat(choice.get("finish_reason").asString()).isEqualTo(stopped ? "stop" : "length");
        assertThat(usage.get("completion_tokens").intValue()).isEqualTo(keptIds.length + (stopped ? 1 : 0));
        assertThat(reply.body().get("model").asString()).isEqualTo("llama3-template");
    }

    @Test
    void anUnparseableTemplateAnswers400AboutTheModel() throws Exception {
        Reply reply = post("/v1/chat/completions", "{\"model\":\"broken-template\",\"messages\":" + MESSAGES + "}");
        assertError(reply, "model", "broken-template", "cannot be parsed", "line");
        Reply completion = post("/v1/completions", "{\"model\":\"broken-template\",\"prompt\":\"def\",\"max_tokens\":2,"
                + "\"temperature\":0}");
        assertThat(completion.status()).as("plain completions still work").isEqualTo(200);
    }

    @Test
    void aTemplateRejectingTheMessagesAnswers400AboutThem() throws Exception {
        Reply reply = post("/v1/chat/completions", "{\"model\":\"llama2-template\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"one\"},{\"role\":\"user\",\"content\":\"two\"}]}");
        assertError(reply, "messages", "Conversation roles must alternate user/assistant/user/assistant/...");
        assertThat(post("/v1/chat/completions", "{\"model\":\"llama2-template\",\"messages\":" + MESSAGES
                + ",\"max_tokens\":2}").status()).isEqualTo(200);
    }
}

package org.iterpref.trainer.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.iterpref.trainer.TrainerApplication;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * {@code stream: true} over real HTTP (Server-Sent Events in OpenAI's chunk format), log-probs with
 * their top alternatives, and a client that goes away mid-stream.
 */
@SpringBootTest(classes = TrainerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StreamingApiTest {

    private static final String CHAT = "[{\"role\":\"user\",\"content\":\"def add(a, b):\"}]";

    @LocalServerPort
    int port;

    @Autowired
    ModelRegistry registry;

    @Autowired
    ConcurrencyLimiter limiter;

    @Autowired
    MeterRegistry meters;

    private ApiClient api;

    @BeforeEach
    void client() {
        api = new ApiClient(port);
    }

    private static String texts(List<JsonNode> chunks, int index) {
        StringBuilder text = new StringBuilder();
        for (JsonNode chunk : chunks) {
            for (JsonNode choice : chunk.get("choices")) {
                if (choice.get("index").intValue() == index) {
                    text.append(choice.has("text") ? choice.get("text").asString()
                            : choice.get("delta").path("content").asString(""));
                }
            }
        }
        return text.toString();
    }

    private static String finish(List<JsonNode> chunks, int index) {
        String finish = null;
        for (JsonNode chunk : chunks) {
            for (JsonNode choice : chunk.get("choices")) {
                if (choice.get("index").intValue() == index && !choice.get("finish_reason").isNull()) {
                    assertThat(finish).as("one finish_reason per choice").isNull();
                    finish = choice.get("finish_reason").asString();
                }
            }
        }
        return finish;
    }

    @Test
    void completionStreamCarriesTheSameTextAsTheWholeResponse() throws Exception {
        String body = "{\"model\":\"tiny-qwen2\",\"prompt\":\"def add(a, b):\",\"max_tokens\":40,\"temperature\":0,"
                + "\"stop\":[\"\\n\\n\"]";
        ApiClient.Reply whole = api.post("/v1/completions", body + "}");
        ApiClient.Events events = api.stream("/v1/completions", body + ",\"stream\":true}");

        assertThat(events.status()).isEqualTo(200);
        assertThat(events.contentType()).startsWith("text/event-stream");
        assertThat(events.done()).isTrue();
        assertThat(events.chunks()).hasSizeGreaterThan(2);
        String id = events.chunks().get(0).get("id").asString();
        assertThat(id).startsWith("cmpl-");
        for (JsonNode chunk : events.chunks()) {
            assertThat(chunk.get("object").asString()).isEqualTo("text_completion");
            assertThat(chunk.get("id").asString()).isEqualTo(id);
            assertThat(chunk.get("model").asString()).isEqualTo("tiny-qwen2");
        }
        JsonNode choice = whole.body().get("choices").get(0);
        assertThat(texts(events.chunks(), 0)).isEqualTo(choice.get("text").asString());
        assertThat(finish(events.chunks(), 0)).isEqualTo(choice.get("finish_reason").asString());
    }

    @Test
    void usageComesLastWhenAskedFor() throws Exception {
        String body = "{\"model\":\"tiny-qwen2\",\"prompt\":\"x = \",\"max_tokens\":12,\"temperature\":0";
        ApiClient.Reply whole = api.post("/v1/completions", body + "}");
        ApiClient.Events events = api.stream("/v1/completions",
                body + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        JsonNode last = events.chunks().get(events.chunks().size() - 1);
        assertThat(last.get("choices")).isEmpty();
        assertThat(last.get("usage")).isEqualTo(whole.body().get("usage"));
        ApiClient.Events without = api.stream("/v1/completions", body + ",\"stream\":true}");
        assertThat(without.chunks()).allSatisfy(chunk -> assertThat(chunk.has("usage")).isFalse());
    }

    @Test
    void seededSamplingStreamsWhatTheWholeResponseReturns() throws Exception {
        String body = "{\"model\":\"tiny-qwen2\",\"prompt\":\"def f(x):\",\"max_tokens\":24,\"temperature\":0.9,"
                + "\"top_p\":0.95,\"n\":3,\"seed\":11";
        ApiClient.Reply whole = api.post("/v1/completions", body + "}");
        ApiClient.Events events = api.stream("/v1/completions", body + ",\"stream\":true}");
        for (int index = 0; index < 3; index++) {
            JsonNode choice = whole.body().get("choices").get(index);
            assertThat(texts(events.chunks(), index)).isEqualTo(choice.get("text").asString());
            assertThat(finish(events.chunks(), index)).isEqualTo(choice.get("finish_reason").asString());
        }
    }

    @Test
    void chatStreamOpensWithTheRoleAndCarriesTheSameContent() throws Exception {
        String body = "{\"model\":\"tiny-qwen2\",\"messages\":" + CHAT + ",\"max_tokens\":30,\"temperature\":0";
        ApiClient.Reply whole = api.post("/v1/chat/completions", body + "}");
        ApiClient.Events events = api.stream("/v1/chat/completions",
                body + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(events.done()).isTrue();
        JsonNode first = events.chunks().get(0);
        assertThat(first.get("object").asString()).isEqualTo("chat.completion.chunk");
        assertThat(first.get("id").asString()).startsWith("chatcmpl-");
        assertThat(first.get("choices").get(0).get("delta").get("role").asString()).isEqualTo("assistant");
        JsonNode choice = whole.body().get("choices").get(0);
        assertThat(texts(events.chunks(), 0)).isEqualTo(choice.get("message").get("content").asString());
        assertThat(finish(events.chunks(), 0)).isEqualTo(choice.get("finish_reason").asString());
        assertThat(events.chunks().get(events.chunks().size() - 1).get("usage"))
                .isEqualTo(whole.body().get("usage"));
    }

    @Test
    void errorsBeforeTheStreamStartsAreOrdinaryJson() throws Exception {
        ApiClient.Events unknown = api.stream("/v1/completions",
                "{\"model\":\"nope\",\"prompt\":\"x\",\"stream\":true}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/json");
        assertThat(unknown.error().get("error").get("param").asString()).isEqualTo("model");
        ApiClient.Events options = api.stream("/v1/chat/completions",
                "{\"model\":\"tiny-qwen2\",\"messages\":" + CHAT + ",\"stream_options\":{\"include_usage\":true}}");
        assertThat(options.status()).isEqualTo(400);
        assertThat(options.error().get("error").get("param").asString()).isEqualTo("stream_options");
    }

    @Test
    void topLogprobsRankTheChosenTokenFirstUnderGreedyDecoding() throws Exception {
        ApiClient.Reply reply = api.post("/v1/completions", "{\"model\":\"tiny-qwen2\",\"prompt\":\"def add(a, b):\","
                + "\"max_tokens\":10,\"temperature\":0,\"logprobs\":3}");
        JsonNode logprobs = reply.body().get("choices").get(0).get("logprobs");
        JsonNode tokens = logprobs.get("tokens");
        JsonNode values = logprobs.get("token_logprobs");
        JsonNode tops = logprobs.get("top_logprobs");
        assertThat(tokens).hasSize(10);
        for (int i = 0; i < tokens.size(); i++) {
            JsonNode top = tops.get(i);
            assertThat(top.size()).isBetween(1, 3);
            Iterator<Map.Entry<String, JsonNode>> entries = top.properties().iterator();
            Map.Entry<String, JsonNode> best = entries.next();
            assertThat(best.getKey()).isEqualTo(tokens.get(i).asString());
            assertThat(best.getValue().doubleValue()).isCloseTo(values.get(i).doubleValue(), within(1e-9));
            double previous = best.getValue().doubleValue();
            while (entries.hasNext()) {
                double next = entries.next().getValue().doubleValue();
                assertThat(next).isLessThanOrEqualTo(previous);
                previous = next;
            }
        }
        // the KV-cached step log-probs equal a full forward pass over prompt + completion
        LoadedModel model = registry.find("tiny-qwen2").orElseThrow();
        long[] prompt = model.tokenizer().encode("def add(a, b):").ids();
        long[] all = java.util.Arrays.copyOf(prompt, prompt.length + 10);
        List<Long> completion = new ArrayList<>();
        long[] generated = model.model().generateGreedy(prompt, 10);
        for (int i = 0; i < 10; i++) {
            all[prompt.length + i] = generated[i];
            completion.add(generated[i]);
        }
        float[] reference = model.model().promptLogProbs(all, 0).chosen();
        for (int i = 0; i < 10; i++) {
            assertThat(values.get(i).doubleValue()).isCloseTo(reference[prompt.length - 1 + i], within(1e-5));
        }
        assertThat(completion).hasSize(10);
    }

    @Test
    void streamedLogprobsMatchTheWholeResponse() throws Exception {
        String body = "{\"model\":\"tiny-qwen2\",\"prompt\":\"print(\",\"max_tokens\":8,\"temperature\":0,\"logprobs\":2";
        JsonNode whole = api.post("/v1/completions", body + "}").body().get("choices").get(0).get("logprobs");
        ApiClient.Events events = api.stream("/v1/completions", body + ",\"stream\":true}");
        List<String> tokens = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        for (JsonNode chunk : events.chunks()) {
            JsonNode logprobs = chunk.get("choices").get(0).get("logprobs");
            if (logprobs != null && !logprobs.isNull()) {
                logprobs.get("tokens").forEach(t -> tokens.add(t.asString()));
                logprobs.get("token_logprobs").forEach(v -> values.add(v.doubleValue()));
                logprobs.get("text_offset").forEach(v -> offsets.add(v.intValue()));
            }
        }
        assertThat(tokens).containsExactlyElementsOf(whole.get("tokens").valueStream().map(JsonNode::asString).toList());
        assertThat(values).containsExactlyElementsOf(whole.get("token_logprobs").valueStream()
                .map(JsonNode::doubleValue).toList());
        assertThat(offsets).containsExactlyElementsOf(whole.get("text_offset").valueStream()
                .map(JsonNode::intValue).toList());
    }

    @Test
    void chatLogprobsListTokensWithBytesAndAlternatives() throws Exception {
        ApiClient.Reply reply = api.post("/v1/chat/completions", "{\"model\":\"tiny-qwen2\",\"messages\":" + CHAT
                + ",\"max_tokens\":6,\"temperature\":0,\"logprobs\":true,\"top_logprobs\":2}");
        assertThat(reply.status()).isEqualTo(200);
        JsonNode content = reply.body().get("choices").get(0).get("logprobs").get("content");
        assertThat(content).isNotEmpty();
        StringBuilder joined = new StringBuilder();
        for (JsonNode token : content) {
            joined.append(token.get("token").asString());
            assertThat(token.get("logprob").doubleValue()).isLessThanOrEqualTo(0);
            assertThat(token.get("bytes")).isNotEmpty();
            assertThat(token.get("top_logprobs")).hasSize(2);
            assertThat(token.get("top_logprobs").get(0).get("token").asString()).isEqualTo(token.get("token").asString());
        }
        assertThat(joined.toString()).isEqualTo(reply.body().get("choices").get(0).get("message").get("content").asString());
        ApiClient.Reply bad = api.post("/v1/chat/completions", "{\"model\":\"tiny-qwen2\",\"messages\":" + CHAT
                + ",\"top_logprobs\":2}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().get("error").get("param").asString()).isEqualTo("top_logprobs");
    }

    @Test
    void aClientThatGoesAwayStopsItsGeneration() throws Exception {
        double cancelledBefore = cancelled();
        int free = limiter.available();
        String body = "{\"model\":\"tiny-qwen2\",\"prompt\":\"a\",\"max_tokens\":500,\"temperature\":1.0,\"seed\":1,"
                + "\"n\":8,\"stream\":true}";
        try (Socket socket = new Socket("localhost", port)) {
            OutputStream out = socket.getOutputStream();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            String received = readUntil(in, 3);
            assertThat(received).startsWith("HTTP/1.1 200").contains("text/event-stream");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while ((cancelled() == cancelledBefore || limiter.available() != free) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(cancelled()).as("generation cancelled").isEqualTo(cancelledBefore + 1);
        assertThat(limiter.available()).as("its slot is free again").isEqualTo(free);
    }

    private double cancelled() {
        var counter = meters.find("trainer.generation.cancelled").tag("model", "tiny-qwen2").counter();
        return counter == null ? 0 : counter.count();
    }

    /** Reads until {@code events} SSE data lines have arrived; returns what was read. */
    private static String readUntil(InputStream in, int events) throws Exception {
        StringBuilder read = new StringBuilder();
        byte[] buffer = new byte[1024];
        while (countOf(read, "data: ") < events) {
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            read.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        return read.toString();
    }

    private static int countOf(CharSequence text, String needle) {
        int count = 0;
        for (int at = text.toString().indexOf(needle); at >= 0; at = text.toString().indexOf(needle, at + 1)) {
            count++;
        }
        return count;
    }
}

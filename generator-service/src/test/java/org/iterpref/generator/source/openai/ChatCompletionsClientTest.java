package org.iterpref.generator.source.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.iterpref.generator.source.SourceUnavailableException;
import org.iterpref.generator.source.openai.FakeChatServer.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ChatCompletionsClientTest {

    private static final List<ChatMessage> MESSAGES = List.of(ChatMessage.user("write add"));
    private static final RetryPolicy FAST = new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(40),
            Duration.ofSeconds(5));
    private static final java.time.Instant NOW = java.time.Instant.parse("2026-10-21T07:28:00Z");
    private static final java.time.Clock CLOCK = java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC);

    private final RecordingScheduler scheduler = new RecordingScheduler();
    private FakeChatServer server;

    @BeforeEach
    void start() throws Exception {
        server = new FakeChatServer();
    }

    @AfterEach
    void stop() {
        server.close();
        scheduler.shutdownNow();
    }

    private ChatCompletionsClient client(OpenAiSourceSettings settings, RetryPolicy policy) {
        return new ChatCompletionsClient(settings, Optional.empty(), OpenAiCodeSourceFactory.defaultHttpClient(),
                new ChatCompletionsCodec(FakeChatServer.JSON), policy, scheduler, CLOCK);
    }

    private ChatCompletionsClient client(RetryPolicy policy) {
        return client(OpenAiSourceSettings.of(server.baseUrl(), "test-model"), policy);
    }

    @Test
    void sendsTheRequestShapeAndParsesContentAndUsage() {
        server.reply(Reply.completion("```python\nx = 1\n```", 21, 9).answeredBy("qwen-coder-7b-awq"));
        OpenAiSourceSettings settings = new OpenAiSourceSettings(server.baseUrl(), "qwen-coder", null, null,
                0.7, 0.95, 256, 5_000, 0, null, null, null);

        ChatCompletion completion = client(settings, FAST).complete(MESSAGES, 99L);

        assertThat(completion).isEqualTo(new ChatCompletion("```python\nx = 1\n```", "stop", 21, 9, "qwen-coder-7b-awq"));
        FakeChatServer.Recorded request = server.lastRequest();
        assertThat(request.path()).isEqualTo("/v1/chat/completions");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("Authorization")).isNull();
        JsonNode body = request.json();
        assertThat(body.path("model").asString()).isEqualTo("qwen-coder");
        assertThat(body.path("temperature").doubleValue()).isEqualTo(0.7);
        assertThat(body.path("top_p").doubleValue()).isEqualTo(0.95);
        assertThat(body.path("max_tokens").intValue()).isEqualTo(256);
        assertThat(body.path("n").intValue()).isEqualTo(1);
        assertThat(body.path("seed").longValue()).isEqualTo(99L);
        assertThat(body.path("messages").get(0).path("role").asString()).isEqualTo("user");
        assertThat(body.path("messages").get(0).path("content").asString()).isEqualTo("write add");
    }

    @Test
    void leavesOutTopPAndSeedWhenNotSetAndToleratesMissingUsage() {
        server.reply(Reply.completion("x = 1", null, null));

        ChatCompletion completion = client(FAST).complete(MESSAGES, null);

        assertThat(completion.promptTokens()).isNull();
        assertThat(completion.completionTokens()).isNull();
        JsonNode body = server.lastRequest().json();
        assertThat(body.has("top_p")).isFalse();
        assertThat(body.has("seed")).isFalse();
    }

    @Test
    void retriesOn429And500ThenSucceeds() {
        server.reply(Reply.error(429, "slow down"), Reply.error(500, "boom"), Reply.completion("ok = 1"));

        ChatCompletion completion = client(FAST).complete(MESSAGES, 1L);

        assertThat(completion.content()).isEqualTo("ok = 1");
        assertThat(server.requests()).hasSize(3);
        assertThat(scheduler.waits()).hasSize(2);
        assertThat(scheduler.waits().get(0)).isBetween(Duration.ofMillis(5), Duration.ofMillis(10));
        assertThat(scheduler.waits().get(1)).isBetween(Duration.ofMillis(10), Duration.ofMillis(20));
    }

    @Test
    void honoursRetryAfterCapped() {
        server.reply(Reply.error(429, "rate limited").withHeader("Retry-After", "2"),
                Reply.error(503, "overloaded").withHeader("Retry-After", "3600"),
                Reply.completion("ok = 1"));

        client(FAST).complete(MESSAGES, 1L);

        assertThat(scheduler.waits()).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    @Test
    void honoursRetryAfterAsAnHttpDateAndInMillisecondsCapped() {
        server.reply(Reply.error(503, "maintenance").withHeader("Retry-After", "Wed, 21 Oct 2026 07:28:03 GMT"),
                Reply.error(429, "slow down").withHeader("Retry-After", "Wed, 21 Oct 2026 09:00:00 GMT"),
                Reply.error(429, "past").withHeader("Retry-After", "Wed, 21 Oct 2026 07:00:00 GMT"),
                Reply.completion("ok = 1"));

        client(FAST).complete(MESSAGES, 1L);

        assertThat(scheduler.waits()).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ZERO);
    }

    @Test
    void retryAfterMsWinsOverRetryAfter() {
        server.reply(Reply.error(429, "slow down").withHeader("retry-after-ms", "250").withHeader("Retry-After", "4"),
                Reply.completion("ok = 1"));

        client(FAST).complete(MESSAGES, 1L);

        assertThat(scheduler.waits()).containsExactly(Duration.ofMillis(250));
    }

    @Test
    void unauthorizedIsNotRetried() {
        server.reply(Reply.error(401, "Incorrect API key provided"), Reply.completion("never"));

        assertThatThrownBy(() -> client(FAST).complete(MESSAGES, 1L))
                .isInstanceOfSatisfying(ModelRequestException.class, e -> assertThat(e.statusCode()).isEqualTo(401));
        assertThat(server.requests()).hasSize(1);
        assertThat(scheduler.waits()).isEmpty();
    }

    @Test
    void anAnswerOverTheSizeCapIsRefusedWithoutRetryingOrHoldingItInMemory() {
        String huge = "x".repeat((int) ChatCompletionsClient.MAX_RESPONSE_BYTES + 1);
        server.reply(Reply.completion(huge), Reply.completion("never"));

        assertThatThrownBy(() -> client(FAST).complete(MESSAGES, 1L))
                .isInstanceOfSatisfying(ModelRequestException.class, e -> assertThat(e.getMessage())
                        .contains("larger than " + ChatCompletionsClient.MAX_RESPONSE_BYTES + " bytes"));
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void givesUpAfterMaxRetriesWithSourceUnavailable() {
        server.reply(Reply.error(500, "a"), Reply.error(502, "b"), Reply.error(503, "c"), Reply.error(500, "d"));

        assertThatThrownBy(() -> client(FAST).complete(MESSAGES, 1L))
                .isInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("failed 4 time(s)")
                .hasMessageContaining("HTTP 500: d");
        assertThat(server.requests()).hasSize(4);
        assertThat(scheduler.waits()).hasSize(3);
    }

    @Test
    void unknownModelIsNotRetried() {
        server.reply(Reply.error(404, "The model `nope` does not exist."), Reply.completion("never"));

        assertThatThrownBy(() -> client(FAST).complete(MESSAGES, 1L))
                .isInstanceOfSatisfying(ModelRequestException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(404);
                    assertThat(e).hasMessageContaining("The model `nope` does not exist.");
                });
        assertThat(server.requests()).hasSize(1);
        assertThat(scheduler.waits()).isEmpty();
    }

    @Test
    void badRequestIsNotRetriedAndCarriesAPlainBody() {
        server.reply(new Reply(400, "max_tokens is too large", java.util.Map.of(), 0));

        assertThatThrownBy(() -> client(FAST).complete(MESSAGES, 1L))
                .isInstanceOf(ModelRequestException.class)
                .hasMessageContaining("HTTP 400: max_tokens is too large");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void aContextLengthErrorIsNotRetriedAndCarriesTheServersNumbers() {
        server.reply(Reply.error(400, "This model's maximum context length is 512 tokens, however you requested 530"
                + " tokens (498 in your prompt; 32 for the completion)."), Reply.completion("never"));

        assertThatThrownBy(() -> client(FAST).complete(MESSAGES, 1L))
                .isInstanceOfSatisfying(ContextLengthExceededException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.overflow()).isEqualTo(new ContextOverflow(512, 498));
                });
        assertThat(server.requests()).hasSize(1);
        assertThat(scheduler.waits()).isEmpty();
    }

    @Test
    void timeoutIsRetried() {
        server.reply(Reply.completion("late = 1").delayedBy(3_000), Reply.completion("fast = 1"));
        OpenAiSourceSettings settings = new OpenAiSourceSettings(server.baseUrl(), "m", null, null, null, null,
                null, 300, 2, null, null, null);

        long started = System.nanoTime();
        ChatCompletion completion = client(settings, FAST).complete(MESSAGES, 1L);

        assertThat(completion.content()).isEqualTo("fast = 1");
        assertThat(server.requests()).hasSize(2);
        assertThat(scheduler.waits()).hasSize(1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2_500));
    }

    @Test
    void connectionRefusedIsRetriedThenGivesUp() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        OpenAiSourceSettings settings = OpenAiSourceSettings.of("http://127.0.0.1:" + closedPort, "m");

        assertThatThrownBy(() -> client(settings, new RetryPolicy(2, Duration.ZERO, Duration.ZERO, Duration.ZERO))
                .complete(MESSAGES, 1L))
                .isInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("failed 3 time(s)")
                .hasCauseInstanceOf(ConnectException.class);
        assertThat(scheduler.waits()).hasSize(2);
    }

    @Test
    void answerThatIsNotACompletionIsRejected() {
        server.reply(new Reply(200, "<html>proxy login</html>", java.util.Map.of(), 0));

        assertThatThrownBy(() -> client(FAST).complete(MESSAGES, 1L))
                .isInstanceOf(ModelRequestException.class)
                .hasMessageContaining("not a chat completion");
    }

    @Test
    void backoffGrowsExponentiallyWithJitterAndCap() {
        RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(1_000), Duration.ofSeconds(1));

        assertThat(policy.backoff(1, 0.0)).isEqualTo(Duration.ofMillis(50));
        assertThat(policy.backoff(1, 1.0)).isEqualTo(Duration.ofMillis(100));
        assertThat(policy.backoff(3, 1.0)).isEqualTo(Duration.ofMillis(400));
        assertThat(policy.backoff(10, 1.0)).isEqualTo(Duration.ofMillis(1_000));
        assertThat(policy.backoff(64, 0.5)).isEqualTo(Duration.ofMillis(750));
        assertThat(policy.retryAfter(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(1));
    }
}

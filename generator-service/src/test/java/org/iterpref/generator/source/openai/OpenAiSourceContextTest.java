package org.iterpref.generator.source.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.iterpref.generator.source.Generation;
import org.iterpref.generator.source.openai.FakeChatServer.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Prompts that fit the model's context: a model of 600 tokens (4 bytes a token) asked for up to 100
 * tokens, and a refinement whose feedback alone is about 3,000 tokens.
 */
class OpenAiSourceContextTest {

    private static final int CONTEXT = 600;
    private static final int MAX_TOKENS = 100;
    private static final String CODE = "def add(a, b):\n    return a - b";
    private static final String LONG_FEEDBACK = "Test `sum` failed:\nassert add(1, 2) == 3, where add(1, 2) = -1\n"
            + "detail: " + "x".repeat(12_000) + "\nAssertionError: the end of the traceback";
    private static final String FIX = "```python\ndef add(a, b):\n    return a + b\n```";

    private final RecordingScheduler scheduler = new RecordingScheduler();
    private FakeChatServer server;
    private OpenAiCodeSourceFactory factory;

    @BeforeEach
    void start() throws Exception {
        server = new FakeChatServer();
        factory = new OpenAiCodeSourceFactory(Map.<String, String>of()::get, OpenAiCodeSourceFactory.defaultHttpClient(),
                FakeChatServer.JSON, scheduler, java.time.Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        server.close();
        scheduler.shutdownNow();
    }

    private OpenAiSourceSettings settings() {
        return new OpenAiSourceSettings(server.baseUrl(), "org/small-coder", null, null, 0.0, null, MAX_TOKENS,
                5_000, 0, null, null, "You write Python.");
    }

    private OpenAiCodeSource source(ContextWindowSettings window) {
        return factory.create(settings(), RetryPolicy.withRetries(0), window);
    }

    private static String userMessage(FakeChatServer.Recorded request) {
        JsonNode messages = request.json().path("messages");
        return messages.get(messages.size() - 1).path("content").asString();
    }

    @Test
    void longFeedbackIsTrimmedToTheContextTheServerReports() {
        server.withContext(CONTEXT, 4, true).reply(Reply.completion(FIX));
        OpenAiCodeSource source = source(ContextWindowSettings.NONE);

        Generation generation = source.generate(TestTasks.context(1, CODE, LONG_FEEDBACK));

        assertThat(server.chatRequests()).hasSize(1);
        FakeChatServer.Recorded request = server.lastRequest();
        assertThat(server.tokens(request.json()) + MAX_TOKENS).isLessThanOrEqualTo(CONTEXT);
        assertThat(server.requests()).extracting(FakeChatServer.Recorded::path).contains("/v1/models/org/small-coder");
        assertThat(generation.trimmed()).isTrue();
        assertThat(generation.prompt()).isEqualTo(userMessage(request))
                .contains(TestTasks.PROMPT.strip(), CODE, "Test `sum` failed:", "the end of the traceback",
                        "characters left out: too long for the model's context")
                .doesNotContain(LONG_FEEDBACK);
        assertThat(generation.code()).isEqualTo("def add(a, b):\n    return a + b");
    }

    @Test
    void aPromptThatFitsIsSentWhole() {
        server.withContext(CONTEXT, 4, true).reply(Reply.completion(FIX));

        Generation generation = source(ContextWindowSettings.NONE)
                .generate(TestTasks.context(1, CODE, "Test `sum` failed: add(1, 2) = -1"));

        assertThat(generation.trimmed()).isFalse();
        assertThat(generation.prompt()).contains(CODE, "Test `sum` failed: add(1, 2) = -1");
    }

    @Test
    void thePreviousCodeIsCutOnlyWhenTheFeedbackIsGone() {
        server.withContext(CONTEXT, 4, true).reply(Reply.completion(FIX));
        String longCode = "def add(a, b):\n" + "    a = a  # padding\n".repeat(400) + "    return a - b";

        Generation generation = source(ContextWindowSettings.NONE).generate(TestTasks.context(1, longCode, LONG_FEEDBACK));

        assertThat(server.tokens(server.lastRequest().json()) + MAX_TOKENS).isLessThanOrEqualTo(CONTEXT);
        assertThat(generation.trimmed()).isTrue();
        assertThat(generation.prompt()).contains(TestTasks.PROMPT.strip(), PromptFitter.OMITTED, "def add(a, b):",
                "return a - b", "characters left out").doesNotContain("Test `sum` failed");
    }

    @Test
    void theConfiguredContextLengthCountsWhenTheServerDoesNotSay() {
        server.withContext(CONTEXT, 4, false).reply(Reply.completion(FIX));

        Generation generation = source(new ContextWindowSettings(CONTEXT, null))
                .generate(TestTasks.context(1, CODE, LONG_FEEDBACK));

        assertThat(server.chatRequests()).hasSize(1);
        assertThat(generation.trimmed()).isTrue();
    }

    @Test
    void aContextLengthErrorIsAnsweredOnceMoreWithATighterTrim() {
        server.withContext(CONTEXT, 4, false).reply(Reply.completion(FIX));

        Generation generation = source(ContextWindowSettings.NONE).generate(TestTasks.context(1, CODE, LONG_FEEDBACK));

        List<FakeChatServer.Recorded> chats = server.chatRequests();
        assertThat(chats).hasSize(2);
        assertThat(userMessage(chats.get(0))).contains(LONG_FEEDBACK);
        assertThat(server.tokens(chats.get(1).json()) + MAX_TOKENS).isLessThanOrEqualTo(CONTEXT);
        assertThat(generation.trimmed()).isTrue();
        assertThat(generation.prompt()).isEqualTo(userMessage(chats.get(1))).contains(CODE);
        assertThat(scheduler.waits()).isEmpty();
    }

    @Test
    void aSecondContextLengthErrorIsFinal() {
        String tooLong = "{\"error\": {\"message\": \"This model's maximum context length is 600 tokens. However, your"
                + " messages resulted in 700 tokens.\", \"type\": \"invalid_request_error\","
                + " \"code\": \"context_length_exceeded\"}}";
        server.reply(new Reply(400, tooLong, Map.of(), 0), new Reply(400, tooLong, Map.of(), 0), Reply.completion(FIX));

        assertThatThrownBy(() -> source(ContextWindowSettings.NONE).generate(TestTasks.context(1, CODE, LONG_FEEDBACK)))
                .isInstanceOfSatisfying(ContextLengthExceededException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.overflow()).isEqualTo(new ContextOverflow(600, 700));
                });
        assertThat(server.chatRequests()).hasSize(2);
    }

    @Test
    void theServersCountsCorrectTheEstimate() {
        server.withContext(CONTEXT, 4, true).reply(Reply.completion(FIX), Reply.completion(FIX));
        OpenAiCodeSource source = source(ContextWindowSettings.NONE);
        String feedback = "Test `sum` failed: " + "y".repeat(800);

        // the configured guess (2 bytes a token) would cut this feedback; the server counted 4 bytes a token
        source.generate(TestTasks.context(0, null, null));
        Generation refined = source.generate(TestTasks.context(1, CODE, feedback));

        assertThat(refined.trimmed()).isFalse();
        assertThat(refined.prompt()).contains(feedback);
    }
}

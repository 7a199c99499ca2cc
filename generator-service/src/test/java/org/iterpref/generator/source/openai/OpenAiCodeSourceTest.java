package org.iterpref.generator.source.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.iterpref.generator.source.Generation;
import org.iterpref.generator.source.SourceUnavailableException;
import org.iterpref.generator.source.openai.FakeChatServer.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class OpenAiCodeSourceTest {

    private static final Map<String, String> ENV = Map.of("MODEL_API_KEY", "sk-test-123");

    @TempDir
    Path dir;

    private final RecordingScheduler scheduler = new RecordingScheduler();
    private FakeChatServer server;
    private OpenAiCodeSourceFactory factory;

    @BeforeEach
    void start() throws Exception {
        server = new FakeChatServer();
        factory = new OpenAiCodeSourceFactory(ENV::get, OpenAiCodeSourceFactory.defaultHttpClient(),
                FakeChatServer.JSON, scheduler, java.time.Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        server.close();
        scheduler.shutdownNow();
    }

    private OpenAiSourceSettings settings(String apiKeyEnv, String first, String refine, String system) {
        return new OpenAiSourceSettings(server.baseUrl(), "qwen2.5-coder", apiKeyEnv, null, 0.4, null, 512,
                5_000, 2, first, refine, system);
    }

    @Test
    void firstAttemptSendsTheRenderedTemplateAndReturnsTheExtractedCode() {
        server.reply(Reply.completion("Sure.\n```python\ndef add(a, b):\n    return a + b\n```\n", 40, 17));
        OpenAiCodeSource source = factory.create(settings("MODEL_API_KEY", null, null, null));

        Generation generation = source.generate(TestTasks.context(0, null, null));

        FakeChatServer.Recorded request = server.lastRequest();
        assertThat(request.header("Authorization")).isEqualTo("Bearer sk-test-123");
        JsonNode body = request.json();
        assertThat(body.path("model").asString()).isEqualTo("qwen2.5-coder");
        assertThat(body.path("temperature").doubleValue()).isEqualTo(0.4);
        assertThat(body.path("max_tokens").intValue()).isEqualTo(512);
        assertThat(body.path("seed").longValue()).isEqualTo(1234L);
        assertThat(body.path("messages")).hasSize(1);
        String sent = body.path("messages").get(0).path("content").asString();
        assertThat(sent).contains(TestTasks.PROMPT.stripTrailing()).contains("```python fenced block");
        assertThat(generation).isEqualTo(new Generation(sent,
                "Sure.\n```python\ndef add(a, b):\n    return a + b\n```\n",
                "def add(a, b):\n    return a + b", "qwen2.5-coder", 40, 17, false));
        assertThat(source.synthetic()).isFalse();
        assertThat(source.model()).isEqualTo("qwen2.5-coder");
    }

    @Test
    void iterationsRecordTheModelAsTheServerReportsIt() {
        server.reply(Reply.completion("```python\nx = 1\n```").answeredBy("qwen2.5-coder-7b-instruct-awq"),
                Reply.completion("```python\nx = 2\n```"));
        OpenAiCodeSource source = factory.create(settings(null, null, null, null));

        assertThat(source.generate(TestTasks.context(0, null, null)).model()).isEqualTo("qwen2.5-coder-7b-instruct-awq");
        // a server that does not say: the model asked for
        assertThat(source.generate(TestTasks.context(0, null, null)).model()).isEqualTo("qwen2.5-coder");
    }

    @Test
    void refinementSendsPreviousCodeAndFeedbackAfterTheSystemPrompt() {
        server.reply(Reply.completion("```python\ndef add(a, b):\n    return a + b\n```"));
        OpenAiCodeSource source = factory.create(settings(null, null, null, "You are a careful Python programmer."));

        Generation generation = source.generate(TestTasks.context(1, "def add(a, b):\n    return a - b",
                "FAILED test_1: AssertionError: assert add(1, 2) == 3"));

        FakeChatServer.Recorded request = server.lastRequest();
        assertThat(request.header("Authorization")).isNull();
        JsonNode messages = request.json().path("messages");
        assertThat(messages).hasSize(2);
        assertThat(messages.get(0).path("role").asString()).isEqualTo("system");
        assertThat(messages.get(0).path("content").asString()).isEqualTo("You are a careful Python programmer.");
        assertThat(messages.get(1).path("role").asString()).isEqualTo("user");
        String sent = messages.get(1).path("content").asString();
        assertThat(sent).contains(TestTasks.PROMPT.stripTrailing())
                .contains("```python\ndef add(a, b):\n    return a - b\n```")
                .contains("FAILED test_1: AssertionError: assert add(1, 2) == 3")
                .contains("Fix the code.");
        assertThat(request.json().path("seed").longValue()).isEqualTo(1235L);
        assertThat(generation.prompt()).isEqualTo(sent);
        assertThat(generation.code()).isEqualTo("def add(a, b):\n    return a + b");
    }

    @Test
    void customTemplateFilesAreUsed() throws Exception {
        Path first = Files.writeString(dir.resolve("first.txt"), "TASK {{entry_point}}:\n{{prompt}}");
        Path refine = Files.writeString(dir.resolve("refine.txt"), "ROUND {{iteration}}\n{{code}}\n--\n{{feedback}}");
        server.reply(Reply.completion("x = 1"), Reply.completion("x = 2"));
        OpenAiCodeSource source = factory.create(settings(null, first.toString(), refine.toString(), null));

        source.generate(TestTasks.context(0, null, null));
        source.generate(TestTasks.context(3, "x = 1", "wrong"));

        List<FakeChatServer.Recorded> requests = server.chatRequests();
        assertThat(userContent(requests.get(0))).isEqualTo("TASK add:\n" + TestTasks.PROMPT.stripTrailing());
        assertThat(userContent(requests.get(1))).isEqualTo("ROUND 3\nx = 1\n--\nwrong");
    }

    @Test
    void replyWithoutFencesOrUsageIsTakenWhole() {
        server.reply(Reply.completion("  def add(a, b):\n    return a + b\n", null, null));
        OpenAiCodeSource source = factory.create(settings(null, null, null, null));

        Generation generation = source.generate(TestTasks.context(0, null, null));

        assertThat(generation.code()).isEqualTo("def add(a, b):\n    return a + b");
        assertThat(generation.promptTokens()).isNull();
        assertThat(generation.completionTokens()).isNull();
    }

    @Test
    void serverThatKeepsFailingMakesTheSourceUnavailable() {
        server.reply(Reply.error(503, "loading"), Reply.error(503, "loading"), Reply.error(503, "loading"));
        OpenAiCodeSource source = factory.create(settings(null, null, null, null),
                new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofMillis(1)));

        assertThatThrownBy(() -> source.generate(TestTasks.context(0, null, null)))
                .isInstanceOf(SourceUnavailableException.class);
        assertThat(server.chatRequests()).hasSize(3);
    }

    @Test
    void createRejectsInvalidSettingsAndAMissingKey() {
        assertThatThrownBy(() -> factory.create(OpenAiSourceSettings.of(server.baseUrl(), " ")))
                .isInstanceOfSatisfying(InvalidSourceSettingsException.class, e -> assertThat(e.problems())
                        .extracting(SettingsProblem::field).containsExactly("model"));
        assertThatThrownBy(() -> factory.create(settings("UNSET_KEY", null, null, null)))
                .isInstanceOfSatisfying(InvalidSourceSettingsException.class, e -> assertThat(e.problems())
                        .extracting(SettingsProblem::field).containsExactly("apiKeyEnv"));
    }

    @Test
    void apiKeyFileWinsOverEnvironment() throws Exception {
        Path secret = Files.writeString(dir.resolve("key"), "sk-from-file\n");
        server.reply(Reply.completion("x = 1"));
        OpenAiSourceSettings settings = new OpenAiSourceSettings(server.baseUrl(), "m", "MODEL_API_KEY",
                secret.toString(), null, null, null, null, null, null, null, null);

        factory.create(settings).generate(TestTasks.context(0, null, null));

        assertThat(server.lastRequest().header("Authorization")).isEqualTo("Bearer sk-from-file");
    }

    private static String userContent(FakeChatServer.Recorded request) {
        JsonNode messages = request.json().path("messages");
        return messages.get(messages.size() - 1).path("content").asString();
    }
}

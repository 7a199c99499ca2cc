package org.iterpref.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import com.openai.models.models.Model;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.iterpref.gateway.support.GatewayInstance;
import org.iterpref.gateway.support.Keys;
import org.iterpref.gateway.support.StubUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OpenAI's official Java SDK, pointed at the gateway with a gateway key, works as against the trainer. */
class OpenAiSdkThroughGatewayTest {

    static StubUpstream trainer;
    static GatewayInstance gateway;
    static String key;

    @BeforeAll
    static void start() throws Exception {
        trainer = new StubUpstream();
        trainer.on("/v1/models", exchange -> json(exchange, "{\"object\":\"list\",\"data\":[{\"id\":\"tiny-qwen2\","
                + "\"object\":\"model\",\"created\":0,\"owned_by\":\"iterpref\"}]}"));
        trainer.on("/v1/chat/completions", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            for (String piece : List.of("def ", "f(x):", " return x")) {
                exchange.getResponseBody().write(("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\","
                        + "\"created\":0,\"model\":\"tiny-qwen2\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
                        + piece + "\"},\"finish_reason\":null}]}\n\n").getBytes(StandardCharsets.UTF_8));
                exchange.getResponseBody().flush();
            }
            exchange.getResponseBody().write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        });
        trainer.on("/v1/files", exchange -> json(exchange, "{\"id\":\"file-1\",\"object\":\"file\",\"bytes\":12,"
                + "\"created_at\":0,\"filename\":\"pairs.jsonl\",\"purpose\":\"fine-tune\",\"status\":\"processed\"}"));
        gateway = GatewayInstance.start("openai-sdk", trainer.baseUrl(), Map.of());
        key = Keys.create(gateway, "sdk", "\"read\",\"train\"", ",\"requestsPerMinute\":1,\"burst\":5");
    }

    @AfterAll
    static void stop() {
        gateway.close();
        trainer.close();
    }

    @Test
    void shouldListModelsStreamAChatAndUploadAFile(@TempDir Path dir) throws Exception {
        OpenAIClient openai = sdk(key);

        assertThat(openai.models().list().data()).extracting(Model::id).containsExactly("tiny-qwen2");

        try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("tiny-qwen2").addUserMessage("Write f.").build())) {
            String text = stream.stream().flatMap(chunk -> chunk.choices().stream())
                    .map(choice -> choice.delta().content().orElse("")).collect(Collectors.joining());
            assertThat(text).isEqualTo("def f(x): return x");
        }

        Path data = dir.resolve("pairs.jsonl");
        Files.writeString(data, "{\"prompt\":1}");
        FileObject file = openai.files().create(FileCreateParams.builder().file(data).purpose(FilePurpose.FINE_TUNE)
                .build());
        assertThat(file.id()).isEqualTo("file-1");
        StubUpstream.Received upload = lastTo("/v1/files");
        Matcher type = Pattern.compile("multipart/form-data;\\s*boundary=([^;]+).*")
                .matcher(upload.header("Content-Type"));
        assertThat(type.matches()).as(upload.header("Content-Type")).isTrue();
        String boundary = type.group(1);
        assertThat(upload.bodyText()).startsWith("--" + boundary).contains("{\"prompt\":1}")
                .contains("name=\"purpose\"");
        assertThat(upload.header("Authorization")).isNull();
    }

    @Test
    void shouldRaiseTheSdksOwnErrorsForRefusals() throws Exception {
        UnauthorizedException unknown = catchThrowableOfType(UnauthorizedException.class,
                () -> sdk("ipk_nonsense").models().list());
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(unknown.getMessage()).contains("not valid");

        PermissionDeniedException denied = catchThrowableOfType(PermissionDeniedException.class,
                () -> sdk(key).models().delete("tiny-qwen2"));
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.getMessage()).contains("'admin'");

        String slow = Keys.create(gateway, "slow", "\"read\"", ",\"requestsPerMinute\":1,\"burst\":1");
        sdk(slow).models().list();
        RateLimitException limited = catchThrowableOfType(RateLimitException.class, () -> sdk(slow).models().list());
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().values("Retry-After")).isNotEmpty();
    }

    private static OpenAIClient sdk(String apiKey) {
        return OpenAIOkHttpClient.builder().baseUrl(gateway.url("/v1")).apiKey(apiKey).responseValidation(true)
                .maxRetries(0).timeout(Duration.ofSeconds(30)).build();
    }

    private static StubUpstream.Received lastTo(String path) throws InterruptedException {
        StubUpstream.Received last = null;
        for (StubUpstream.Received r = trainer.poll(); r != null; r = trainer.poll()) {
            if (r.uri().startsWith(path)) {
                last = r;
            }
        }
        assertThat(last).as("a request to " + path).isNotNull();
        return last;
    }

    private static void json(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}

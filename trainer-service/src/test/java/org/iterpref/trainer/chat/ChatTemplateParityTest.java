package org.iterpref.trainer.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Byte-for-byte parity with Python Jinja2 as Hugging Face transformers configures it: every
 * template in {@code chat-templates/} rendered for every conversation (with and without the
 * generation prompt), and every snippet, must give exactly the text {@code make_expected.py}
 * recorded, or fail with the same {@code raise_exception} message.
 */
class ChatTemplateParityTest {

    private static final String DIR = "/chat-templates/";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final ChatTemplateEngine ENGINE = new ChatTemplateEngine();

    static JsonNode expected() {
        try (InputStream in = ChatTemplateParityTest.class.getResourceAsStream(DIR + "expected.json")) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String resource(String name) {
        try (InputStream in = ChatTemplateParityTest.class.getResourceAsStream(DIR + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Map<String, Object>> messages(JsonNode conversation) {
        List<Map<String, Object>> messages = new ArrayList<>();
        for (JsonNode message : conversation) {
            messages.add(ChatTemplateInput.message(message.get("role").asString(), message.get("content").asString()));
        }
        return messages;
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> map = new LinkedHashMap<>();
        object.properties().forEach(entry -> map.put(entry.getKey(), entry.getValue().asString()));
        return map;
    }

    @TestFactory
    Stream<DynamicTest> templatesRenderLikeJinja2() {
        JsonNode expected = expected();
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, JsonNode> template : expected.get("templates").properties()) {
            ChatTemplate compiled = ENGINE.compile(resource(template.getValue().get("file").asString()));
            Map<String, String> specialTokens = strings(template.getValue().get("special_tokens"));
            for (Map.Entry<String, JsonNode> result : template.getValue().get("results").properties()) {
                String[] key = result.getKey().split("/");
                boolean prompt = key.length == 1;
                List<Map<String, Object>> messages = messages(expected.get("conversations").get(key[0]));
                ChatTemplateInput input = new ChatTemplateInput(messages, prompt, specialTokens);
                tests.add(DynamicTest.dynamicTest(template.getKey() + " " + result.getKey(),
                        () -> check(compiled, input, result.getValue())));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> snippetsRenderLikeJinja2() {
        JsonNode expected = expected();
        List<Map<String, Object>> messages = messages(expected.get("conversations").get("code"));
        List<DynamicTest> tests = new ArrayList<>();
        int index = 0;
        for (JsonNode snippet : expected.get("snippets")) {
            String source = snippet.get("template").asString();
            tests.add(DynamicTest.dynamicTest("snippet " + index++ + ": " + source, () -> check(ENGINE.compile(source),
                    new ChatTemplateInput(messages, true, Map.of()), snippet)));
        }
        return tests.stream();
    }

    private static void check(ChatTemplate template, ChatTemplateInput input, JsonNode expected) {
        if (expected.has("raised")) {
            ChatTemplateException e = catchThrowableOfType(ChatTemplateException.class, () -> template.render(input));
            assertThat(e).as("raise_exception").isNotNull();
            assertThat(e.kind()).isEqualTo(ChatTemplateException.Kind.RAISED);
            assertThat(e.detail()).isEqualTo(expected.get("raised").asString());
        } else {
            assertThat(template.render(input)).isEqualTo(expected.get("text").asString());
        }
    }
}

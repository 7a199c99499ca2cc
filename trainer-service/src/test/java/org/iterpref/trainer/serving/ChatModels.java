package org.iterpref.trainer.serving;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.iterpref.trainer.Fixtures;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Writable copies of fixture models with the chat setup a test needs. */
final class ChatModels {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ChatModels() {
    }

    /**
     * A copy of fixture model {@code name} in {@code target} whose {@code tokenizer_config.json}
     * has {@code chatTemplate} (none when null) and {@code <|endoftext|>} as BOS and EOS.
     */
    static Path model(String name, Path target, String chatTemplate) {
        Fixtures.copyModel(name, target);
        ObjectNode config = JSON.createObjectNode();
        config.put("bos_token", "<|endoftext|>");
        config.put("eos_token", "<|endoftext|>");
        config.put("model_max_length", 512);
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        if (chatTemplate != null) {
            config.put("chat_template", chatTemplate);
        }
        write(target.resolve("tokenizer_config.json"), config);
        return target;
    }

    /** Drops the ChatML tokens ({@code <|im_start|>}, {@code <|im_end|>}) from the model's tokenizer. */
    static Path withoutChatMl(Path dir) {
        Path file = dir.resolve("tokenizer.json");
        try {
            ObjectNode tokenizer = (ObjectNode) JSON.readTree(file.toFile());
            ArrayNode kept = JSON.createArrayNode();
            for (JsonNode token : tokenizer.get("added_tokens")) {
                if (!token.get("content").asString().startsWith("<|im_")) {
                    kept.add(token);
                }
            }
            tokenizer.set("added_tokens", kept);
            write(file, tokenizer);
            return dir;
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot rewrite " + file, e);
        }
    }

    /** A chat template from {@code src/test/resources/chat-templates}. */
    static String template(String file) {
        try (InputStream in = ChatModels.class.getResourceAsStream("/chat-templates/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, JsonNode json) {
        try {
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package org.iterpref.trainer.serving;

import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** The OpenAI-compatible API: {@code GET /v1/models}, {@code POST /v1/completions} and {@code POST /v1/chat/completions}. */
@RestController
public class OpenAiController {

    private final ModelRegistry registry;
    private final CompletionService completions;
    private final ChatCompletionService chat;

    public OpenAiController(ModelRegistry registry, CompletionService completions, ChatCompletionService chat) {
        this.registry = registry;
        this.completions = completions;
        this.chat = chat;
    }

    @GetMapping(path = "/v1/models", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> models() {
        List<Map<String, Object>> data = registry.all().stream()
                .map(m -> Map.<String, Object>of("id", m.name(), "object", "model", "owned_by", "iterpref"))
                .toList();
        return Map.of("object", "list", "data", data);
    }

    @PostMapping(path = "/v1/completions", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> complete(@RequestBody JsonNode body) {
        return completions.complete(CompletionRequest.parse(body));
    }

    @PostMapping(path = "/v1/chat/completions", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> chatComplete(@RequestBody JsonNode body) {
        return chat.complete(ChatCompletionRequest.parse(body));
    }
}

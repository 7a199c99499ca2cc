package org.iterpref.trainer.serving;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAI-compatible API: models ({@code GET /v1/models}, and for admins {@code POST /v1/models}
 * and {@code DELETE /v1/models/{id}}), {@code POST /v1/completions} and
 * {@code POST /v1/chat/completions} — whole JSON responses, or Server-Sent Events with
 * {@code stream: true}.
 */
@RestController
@Tag(name = "OpenAI-compatible API")
public class OpenAiController {

    private static final MediaType EVENT_STREAM = MediaType.TEXT_EVENT_STREAM;
    private final ModelRegistry registry;
    private final CompletionService completions;
    private final ChatCompletionService chat;
    private final JsonMapper json;

    public OpenAiController(ModelRegistry registry, CompletionService completions, ChatCompletionService chat,
                            JsonMapper json) {
        this.registry = registry;
        this.completions = completions;
        this.chat = chat;
        this.json = json;
    }

    @GetMapping(path = "/v1/models", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "The served models")
    Map<String, Object> models() {
        List<Map<String, Object>> data = registry.all().stream().map(this::model).toList();
        return Map.of("object", "list", "data", data);
    }

    @GetMapping(path = "/v1/models/{*id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "One served model")
    Map<String, Object> model(@PathVariable("id") String id) {
        String name = stripSlash(id);
        try (ModelRegistry.Lease lease = registry.lease(name)) {
            return model(lease.model());
        }
    }

    @PostMapping(path = "/v1/models", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Admin: load a Hugging Face model directory and serve it",
            description = "Body {\"id\": name, \"path\": directory under iterpref.trainer.admin-model-root}. "
                    + "Turned off unless that root is configured; the gateway restricts it to admin keys.")
    ResponseEntity<Map<String, Object>> register(@RequestBody JsonNode body) {
        if (body == null || !body.isObject()) {
            throw OpenAiException.invalid(null, "The request body must be a JSON object.");
        }
        for (String name : body.propertyNames()) {
            if (!name.equals("id") && !name.equals("path")) {
                throw OpenAiException.invalid(name, "Unrecognized request argument supplied: " + name);
            }
        }
        String id = body.has("id") && body.get("id").isString() ? body.get("id").asString() : null;
        String path = body.has("path") && body.get("path").isString() ? body.get("path").asString() : null;
        return ResponseEntity.status(HttpStatus.CREATED).body(model(registry.register(id, path)));
    }

    @DeleteMapping(path = "/v1/models/{*id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Admin: stop serving a model and free its memory once in-flight requests end")
    Map<String, Object> unregister(@PathVariable("id") String id) {
        String name = stripSlash(id);
        registry.unregister(name);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", name);
        body.put("object", "model");
        body.put("deleted", true);
        return body;
    }

    @PostMapping(path = "/v1/completions", produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.TEXT_EVENT_STREAM_VALUE})
    @Operation(summary = "Legacy completions (text or token-id prompt, echo, logprobs, stream)")
    ResponseEntity<StreamingResponseBody> complete(@RequestBody JsonNode body) {
        CompletionRequest request = CompletionRequest.parse(body);
        if (request.stream()) {
            return events(completions.stream(request));
        }
        return whole(completions.complete(request, () -> false));
    }

    @PostMapping(path = "/v1/chat/completions",
            produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.TEXT_EVENT_STREAM_VALUE})
    @Operation(summary = "Chat completions (the model's chat template, logprobs, stream)")
    ResponseEntity<StreamingResponseBody> chatComplete(@RequestBody JsonNode body) {
        ChatCompletionRequest request = ChatCompletionRequest.parse(body);
        if (request.stream()) {
            return events(chat.stream(request));
        }
        return whole(chat.complete(request, () -> false));
    }

    /**
     * A whole JSON response, already computed. (Both shapes are written as a streaming body because
     * Spring picks the writer by the declared return type, and {@code stream} is only known from the body.)
     */
    private ResponseEntity<StreamingResponseBody> whole(Map<String, Object> response) {
        byte[] bytes = json.writeValueAsBytes(response);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).contentLength(bytes.length)
                .body(out -> out.write(bytes));
    }

    private static ResponseEntity<StreamingResponseBody> events(StreamingResponseBody body) {
        return ResponseEntity.ok().contentType(EVENT_STREAM).cacheControl(CacheControl.noCache())
                .header("X-Accel-Buffering", "no").body(body);
    }

    private Map<String, Object> model(LoadedModel loaded) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("id", loaded.name());
        model.put("object", "model");
        model.put("owned_by", "iterpref");
        model.put("context_length", loaded.contextLength());
        model.put("source", registry.source(loaded.name()));
        return model;
    }

    private static String stripSlash(String id) {
        return id.startsWith("/") ? id.substring(1) : id;
    }
}

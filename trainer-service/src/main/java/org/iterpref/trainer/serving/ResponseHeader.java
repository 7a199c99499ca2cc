package org.iterpref.trainer.serving;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What every response and chunk of one request repeats: its id, creation time and model.
 *
 * @param id {@code cmpl-…} or {@code chatcmpl-…}
 * @param created seconds since the epoch
 * @param model the served model's name
 */
record ResponseHeader(String id, long created, String model) {

    static ResponseHeader of(String idPrefix, String model) {
        return new ResponseHeader(idPrefix + UUID.randomUUID().toString().replace("-", ""),
                System.currentTimeMillis() / 1000, model);
    }

    /** {@code {id, object, created, model}}, to be completed with choices. */
    Map<String, Object> envelope(String object) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("object", object);
        body.put("created", created);
        body.put("model", model);
        return body;
    }

    /** A whole response: the envelope, the choices and the usage. */
    Map<String, Object> response(String object, List<Map<String, Object>> choices, int promptTokens,
                                 int completionTokens) {
        Map<String, Object> body = envelope(object);
        body.put("choices", choices);
        body.put("usage", usage(promptTokens, completionTokens));
        return body;
    }

    /** A stream's last chunk when usage was asked for: no choices, the usage. */
    Map<String, Object> usageChunk(String object, int promptTokens, int completionTokens) {
        return response(object, List.of(), promptTokens, completionTokens);
    }

    /** One chunk carrying one choice. */
    Map<String, Object> chunk(String object, Map<String, Object> choice) {
        Map<String, Object> body = envelope(object);
        body.put("choices", List.of(choice));
        return body;
    }

    static Map<String, Object> usage(int promptTokens, int completionTokens) {
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", promptTokens + completionTokens);
        return usage;
    }
}

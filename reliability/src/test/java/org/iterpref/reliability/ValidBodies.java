package org.iterpref.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Valid bodies for the operations that create or run something, so a hostile variant differs
 * from a request the service accepts in one field only and reaches validation and storage; for
 * the rest, bodies come from the OpenAPI schemas.
 */
final class ValidBodies {

    private static volatile Map<String, JsonNode> bodies = Map.of();

    private ValidBodies() {
    }

    static void load(PlatformProcesses platform) throws IOException {
        Map<String, JsonNode> loaded = new LinkedHashMap<>();
        List<String> tasks = Files.readAllLines(platform.root.resolve("examples/tasks/iterpref-examples.jsonl"));
        ObjectNode task = (ObjectNode) PlatformApi.JSON.readTree(tasks.get(5));
        task.remove("tags");
        task.put("set", "reliability-fuzz");
        task.put("language", "python");
        loaded.put("POST /tasks", task);
        loaded.put("POST /executions", PlatformApi.JSON.readTree(
                platform.root.resolve("examples/executions/01-humaneval-style.json").toFile()));
        loaded.put("POST /generation-runs", json("{\"taskSet\":\"reliability-seed\",\"source\":{\"type\":"
                + "\"bug-injection\"},\"maxIterations\":2,\"samplesPerTask\":1,\"seed\":3,\"pairPolicy\":\"last\"}"));
        loaded.put("POST /evaluations", json("{\"taskSet\":\"reliability-seed\",\"source\":{\"type\":\"reference\"},"
                + "\"samples\":1,\"k\":[1]}"));
        loaded.put("POST /completions", json("{\"model\":\"tiny-qwen2\",\"prompt\":\"def f():\",\"max_tokens\":2}"));
        loaded.put("POST /chat/completions", json("{\"model\":\"tiny-qwen2\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}],\"max_tokens\":2}"));
        loaded.put("POST /admin/keys", json("{\"name\":\"fuzz-made\",\"scopes\":[\"read\"],\"requestsPerMinute\":60,"
                + "\"burst\":5}"));
        bodies = loaded;
    }

    /** A valid body for {@code op} as plain values (maps, lists), or null when there is none. */
    static Object of(OpenApiOperations.Operation op, Random random) {
        String path = op.path().replaceFirst("^/(api|v1)(?=/)", "");
        JsonNode body = bodies.get(op.method() + " " + path);
        return body == null ? null : PlatformApi.JSON.convertValue(body, Object.class);
    }

    private static JsonNode json(String text) {
        return PlatformApi.JSON.readTree(text);
    }
}

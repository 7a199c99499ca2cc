package org.iterpref.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** JSON calls to the platform's services (through a gateway with a key, or straight at a port), on loopback. */
final class PlatformApi {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private PlatformApi() {
    }

    static RawHttp.Reply call(int port, String method, String path, String key, Object body) throws IOException {
        List<String[]> headers = new ArrayList<>();
        if (key != null) {
            headers.add(new String[] {"Authorization", "Bearer " + key});
        }
        String text = null;
        if (body != null) {
            headers.add(new String[] {"Content-Type", "application/json"});
            text = body instanceof String s ? s : JSON.writeValueAsString(body);
        }
        return RawHttp.send(port, method, path, headers, text);
    }

    static JsonNode json(RawHttp.Reply reply, int expectedStatus) {
        if (reply.status() != expectedStatus) {
            throw new AssertionError("expected HTTP " + expectedStatus + ", got " + reply.status() + ": " + reply.body());
        }
        return reply.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(reply.body());
    }

    /** A new key made with the bootstrap admin key; returns {id, key}. */
    static String[] createKey(PlatformProcesses platform, String name, List<String> scopes, Integer perMinute,
                              Integer burst) throws IOException {
        var request = new java.util.LinkedHashMap<String, Object>();
        request.put("name", name);
        request.put("scopes", scopes);
        if (perMinute != null) {
            request.put("requestsPerMinute", perMinute);
            request.put("burst", burst);
        }
        JsonNode created = json(call(platform.gatewayPort, "POST", "/admin/keys", platform.bootstrapKey, request), 201);
        return new String[] {created.get("details").get("id").asString(), created.get("key").asString()};
    }

    /** A few bundled tasks imported, then a bug-injection run over them, waited for (bounded). */
    static void seed(PlatformProcesses platform, String key) throws Exception {
        List<String> lines = Files.readAllLines(platform.root.resolve("examples/tasks/iterpref-examples.jsonl"));
        String jsonl = String.join("\n", lines.subList(0, 4)) + "\n";
        RawHttp.Reply imported = RawHttp.send(platform.gatewayPort, "POST",
                "/api/tasks/import?format=jsonl&set=reliability-seed",
                List.of(new String[] {"Authorization", "Bearer " + key},
                        new String[] {"Content-Type", "application/x-ndjson"}), jsonl);
        json(imported, 200);
        JsonNode run = json(call(platform.gatewayPort, "POST", "/api/generation-runs", key, Map.of(
                "taskSet", "reliability-seed", "source", Map.of("type", "bug-injection"), "maxIterations", 3,
                "samplesPerTask", 1, "seed", 7, "pairPolicy", "last")), 202);
        String id = run.get("id").asString();
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (System.nanoTime() < deadline) {
            String status = json(call(platform.gatewayPort, "GET", "/api/generation-runs/" + id, key, null), 200)
                    .path("status").asString();
            if (status.equals("COMPLETED")) {
                return;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("the seed run " + id + " did not complete in 4 minutes");
    }

    static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}

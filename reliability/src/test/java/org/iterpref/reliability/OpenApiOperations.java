package org.iterpref.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** Every operation of a service's OpenAPI document: method, path template, parameters, request body. */
final class OpenApiOperations {

    static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");

    /** How a target answers errors: RFC 9457 problem+json, or OpenAI's {"error": {...}}. */
    enum ErrorShape { PROBLEM, OPENAI }

    record Parameter(String name, String in, boolean required, JsonNode schema) {
    }

    /**
     * One operation as a client reaches it: {@code port} and {@code path} (a template) where it is
     * sent, {@code via} says through which door ("gateway" or a service's own port).
     */
    record Operation(String via, int port, String method, String path, List<Parameter> parameters,
                     String bodyType, JsonNode bodySchema, ErrorShape shape, JsonNode document) {

        boolean changesState() {
            return !method.equals("GET");
        }

        String key() {
            return via + " " + method + " " + path;
        }
    }

    private OpenApiOperations() {
    }

    /** The operations of {@code document}, each path mapped by {@code route} (null: not reachable that way). */
    static List<Operation> of(JsonNode document, String via, int port, java.util.function.UnaryOperator<String> route,
                              java.util.function.Function<String, ErrorShape> shape) {
        List<Operation> operations = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
            String routed = route.apply(path.getKey());
            if (routed == null) {
                continue;
            }
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                if (!METHODS.contains(op.getKey())) {
                    continue;
                }
                List<Parameter> parameters = new ArrayList<>();
                for (JsonNode p : op.getValue().path("parameters")) {
                    JsonNode resolved = resolve(document, p);
                    parameters.add(new Parameter(resolved.path("name").asString(), resolved.path("in").asString(),
                            resolved.path("required").asBoolean(false), resolve(document, resolved.path("schema"))));
                }
                String bodyType = null;
                JsonNode bodySchema = null;
                JsonNode content = resolve(document, op.getValue().path("requestBody")).path("content");
                for (Map.Entry<String, JsonNode> media : content.properties()) {
                    if (bodyType == null || media.getKey().contains("json") && !bodyType.contains("json")) {
                        bodyType = media.getKey();
                        bodySchema = media.getValue().path("schema");
                    }
                }
                operations.add(new Operation(via, port, op.getKey().toUpperCase(Locale.ROOT), routed, parameters,
                        bodyType, bodySchema, shape.apply(routed), document));
            }
        }
        return operations;
    }

    /** Follows a local {@code $ref} (components); other nodes are returned as they are. */
    static JsonNode resolve(JsonNode document, JsonNode node) {
        int hops = 0;
        while (node != null && node.has("$ref") && hops++ < 20) {
            JsonNode target = document;
            for (String part : node.get("$ref").asString().replaceFirst("^#/", "").split("/")) {
                target = target.path(part);
            }
            node = target;
        }
        return node;
    }
}

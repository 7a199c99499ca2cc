package org.iterpref.reliability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** A plain value for an OpenAPI schema (every property set), and JSON text for it that keeps any string as sent. */
final class SchemaValues {

    /** JSON text put into a body as it is. */
    record Raw(String json) {
    }

    private SchemaValues() {
    }

    static Object base(JsonNode document, JsonNode schema, Random random) {
        return base(document, schema, random, 0);
    }

    private static Object base(JsonNode document, JsonNode schema, Random random, int depth) {
        schema = OpenApiOperations.resolve(document, schema);
        if (schema == null || schema.isMissingNode() || depth > 5) {
            return "x";
        }
        for (String choice : List.of("oneOf", "anyOf", "allOf")) {
            if (schema.has(choice) && !schema.get(choice).isEmpty()) {
                return base(document, schema.get(choice).get(0), random, depth + 1);
            }
        }
        if (schema.has("enum") && !schema.get("enum").isEmpty()) {
            return schema.get("enum").get(0).isNumber() ? schema.get("enum").get(0).numberValue()
                    : schema.get("enum").get(0).asString();
        }
        String type = schema.path("type").isArray() ? schema.path("type").get(0).asString()
                : schema.path("type").asString();
        if (type.isEmpty() && schema.has("properties")) {
            type = "object";
        }
        switch (type) {
            case "object": {
                Map<String, Object> object = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
                    object.put(p.getKey(), base(document, p.getValue(), random, depth + 1));
                }
                return object;
            }
            case "array": {
                List<Object> list = new ArrayList<>();
                list.add(base(document, schema.path("items"), random, depth + 1));
                return list;
            }
            case "integer":
                return 1;
            case "number":
                return 0.5;
            case "boolean":
                return true;
            default:
                return "uuid".equals(schema.path("format").asString()) ? UUID.randomUUID().toString() : "x";
        }
    }

    static String json(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out) {
        if (value instanceof Raw raw) {
            out.append(raw.json());
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.append(first ? "" : ",").append(quote(e.getKey().toString())).append(':');
                write(e.getValue(), out);
                first = false;
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ",");
                write(list.get(i), out);
            }
            out.append(']');
        } else if (value instanceof String s) {
            out.append(quote(s));
        } else {
            out.append(value);
        }
    }

    /** A JSON string with everything outside printable ASCII escaped, lone surrogates included. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c >= 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}

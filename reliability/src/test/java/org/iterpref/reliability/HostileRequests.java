package org.iterpref.reliability;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.iterpref.reliability.OpenApiOperations.Operation;
import org.iterpref.reliability.OpenApiOperations.Parameter;
import tools.jackson.databind.JsonNode;

/**
 * One hostile variant of an operation: a request whose path, query, headers or body is broken in
 * one way (the {@link Kind}). Requests that change state are always invalid somewhere (an unknown
 * property, a wrong type, a value out of range, text no database can hold, a broken body or an id
 * that does not exist), so a fuzz run that stores anything has found a defect.
 */
record HostileRequests(String method, byte[] target, List<String[]> headers, byte[] body, Kind kind) {

    enum Kind { PATH, QUERY, BROKEN_JSON, WRONG_TYPE, HUGE_NUMBER, HOSTILE_STRING, DEEP, RAW_BYTES, BIG_HEADER,
        CONTENT_TYPE, METHOD }

    static final String UNKNOWN_FIELD = "reliabilityFuzzUnknownField";
    private static final String HOLE = "\u0001HOLE\u0001";
    private static final List<String> CONTENT_TYPES = List.of("text/plain", "application/xml",
            "application/json; charset=ebcdic", "multipart/form-data; boundary=", "application/x-www-form-urlencoded",
            "application/json; charset=utf-7", "*/*", ";;;", "application/" + "x".repeat(5_000), "image/png");
    private static final List<String> METHODS = List.of("PUT", "PATCH", "DELETE", "POST", "GET", "OPTIONS", "TRACE",
            "FOO", "CONNECT");

    static HostileRequests of(Operation op, Set<String> declaredMethods, String key, Random random) {
        Kind kind = pick(op, random);
        String method = op.method();
        if (kind == Kind.METHOD) {
            List<String> others = METHODS.stream().filter(m -> !declaredMethods.contains(m)).toList();
            method = others.get(random.nextInt(others.size()));
        }
        ByteArrayOutputStream target = new ByteArrayOutputStream();
        target.writeBytes(path(op, kind, random).getBytes(StandardCharsets.ISO_8859_1));
        if (kind == Kind.PATH && random.nextInt(4) == 0) {
            target.writeBytes(HostileInputs.bytes(random)); // raw, not percent-encoded
        }
        target.writeBytes(query(op, kind, random).getBytes(StandardCharsets.ISO_8859_1));
        List<String[]> headers = new ArrayList<>();
        if (key != null) {
            headers.add(random.nextBoolean() ? new String[] {"Authorization", "Bearer " + key}
                    : new String[] {"X-API-Key", key});
        }
        byte[] body = null;
        if (op.bodyType() != null || op.changesState()) {
            String type = op.bodyType() == null ? "application/json" : op.bodyType();
            headers.add(new String[] {"Content-Type", kind == Kind.CONTENT_TYPE
                    ? CONTENT_TYPES.get(random.nextInt(CONTENT_TYPES.size())) : type});
            body = body(op, kind, random);
        }
        if (kind == Kind.BIG_HEADER) {
            if (random.nextBoolean()) {
                headers.add(new String[] {"X-Fuzz", "a".repeat(8_000 + random.nextInt(64_000))});
            } else {
                for (int i = 0; i < 200 + random.nextInt(300); i++) {
                    headers.add(new String[] {"X-Fuzz-" + i, "v".repeat(100)});
                }
            }
        }
        return new HostileRequests(method, target.toByteArray(), headers, body, kind);
    }

    private static Kind pick(Operation op, Random random) {
        List<Kind> kinds = new ArrayList<>(List.of(Kind.QUERY, Kind.BIG_HEADER, Kind.METHOD));
        if (op.path().contains("{")) {
            kinds.addAll(List.of(Kind.PATH, Kind.PATH, Kind.PATH));
        }
        if (op.bodyType() != null) {
            kinds.addAll(List.of(Kind.BROKEN_JSON, Kind.WRONG_TYPE, Kind.HUGE_NUMBER, Kind.HOSTILE_STRING,
                    Kind.HOSTILE_STRING, Kind.DEEP, Kind.RAW_BYTES, Kind.CONTENT_TYPE));
        }
        return kinds.get(random.nextInt(kinds.size()));
    }

    private static String path(Operation op, Kind kind, Random random) {
        StringBuilder out = new StringBuilder();
        String template = op.path();
        int at = 0;
        while (at < template.length()) {
            int open = template.indexOf('{', at);
            if (open < 0) {
                out.append(template, at, template.length());
                break;
            }
            int close = template.indexOf('}', open);
            out.append(template, at, open);
            out.append(kind == Kind.PATH ? percent(random.nextInt(3) == 0 ? HostileInputs.number(random)
                    : HostileInputs.string(random), random.nextInt(3) == 0) : UUID.randomUUID().toString());
            at = close + 1;
        }
        return out.toString();
    }

    private static String query(Operation op, Kind kind, Random random) {
        StringBuilder out = new StringBuilder();
        for (Parameter p : op.parameters()) {
            if (!p.in().equals("query")) {
                continue;
            }
            String value;
            if (kind == Kind.QUERY) {
                value = random.nextBoolean() ? HostileInputs.string(random) : HostileInputs.number(random);
            } else if (!p.required() && random.nextBoolean()) {
                continue;
            } else {
                value = scalar(p.schema());
            }
            out.append(out.isEmpty() ? '?' : '&').append(percent(p.name(), false)).append('=')
                    .append(percent(value, random.nextInt(4) == 0));
        }
        if (kind == Kind.QUERY && random.nextInt(3) == 0) {
            out.append(out.isEmpty() ? '?' : '&').append(percent(HostileInputs.string(random), false)).append("=1");
        }
        return out.toString();
    }

    private static byte[] body(Operation op, Kind kind, Random random) {
        String type = op.bodyType() == null ? "application/json" : op.bodyType();
        if (type.startsWith("multipart/")) {
            return multipart(random, kind);
        }
        if (!type.contains("json") || type.contains("ndjson") || type.contains("jsonl")) {
            return lines(random, kind);
        }
        Object valid = ValidBodies.of(op, random);
        Object base = valid != null ? valid : SchemaValues.base(op.document(), op.bodySchema(), random);
        Map<String, Object> object = base instanceof Map<?, ?> m ? castMap(m) : null;
        switch (kind) {
            case BROKEN_JSON:
                return HostileInputs.brokenJson(random).getBytes(StandardCharsets.UTF_8);
            case DEEP:
                return withHole(object, base, HostileInputs.deep(random, 600 + random.nextInt(20_000)), random,
                        op.changesState());
            case WRONG_TYPE:
                return wrongType(object, base, random);
            case HUGE_NUMBER: {
                String number = huge(random);
                return withHole(object, base, number, random, op.changesState() && !outOfEveryRange(number));
            }
            case HOSTILE_STRING: {
                String value = HostileInputs.string(random);
                return withHole(object, base, SchemaValues.quote(value), random,
                        op.changesState() && !neverValidText(value));
            }
            case RAW_BYTES: {
                byte[] json = withHole(object, base, "\"" + HOLE + "\"", random, op.changesState());
                String text = new String(json, StandardCharsets.UTF_8);
                int hole = text.indexOf(HOLE);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.writeBytes(text.substring(0, Math.max(0, hole)).getBytes(StandardCharsets.UTF_8));
                out.writeBytes(HostileInputs.bytes(random));
                out.writeBytes(text.substring(hole < 0 ? text.length() : hole + HOLE.length())
                        .getBytes(StandardCharsets.UTF_8));
                return out.toByteArray();
            }
            default:
                return withHole(object, base, null, random, op.changesState());
        }
    }

    /** One field of the base body (or the whole body) replaced by a value of another JSON type. */
    private static byte[] wrongType(Map<String, Object> object, Object base, Random random) {
        if (object == null || object.isEmpty()) {
            return wrongTypeFor(base, random).getBytes(StandardCharsets.UTF_8);
        }
        List<String> fields = new ArrayList<>(object.keySet());
        String field = fields.get(random.nextInt(fields.size()));
        Map<String, Object> copy = new LinkedHashMap<>(object);
        copy.put(field, new SchemaValues.Raw(wrongTypeFor(object.get(field), random)));
        return SchemaValues.json(copy).getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON value of a type other than {@code value}'s (never null: an optional field may be null). */
    private static String wrongTypeFor(Object value, Random random) {
        List<String> choices = new ArrayList<>(List.of("[1,{}]", "{\"x\":[]}", "\"not a number\"", "true", "12.5", "7"));
        if (value instanceof String) {
            choices.remove("\"not a number\"");
        } else if (value instanceof Boolean) {
            choices.remove("true");
        } else if (value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger) {
            choices.remove("7");
        } else if (value instanceof Number) {
            choices.remove("12.5");
            choices.remove("7");
        } else if (value instanceof List) {
            choices.remove("[1,{}]");
        } else if (value instanceof Map) {
            choices.remove("{\"x\":[]}");
        }
        return choices.get(random.nextInt(choices.size()));
    }

    /**
     * The base body with one field (or the whole body when it is no object) replaced by raw JSON
     * text; {@code poison} adds a property no service knows, so the request cannot be valid.
     */
    private static byte[] withHole(Map<String, Object> object, Object base, String raw, Random random, boolean poison) {
        String json;
        if (object == null) {
            json = raw == null ? SchemaValues.json(base) : raw;
        } else {
            Map<String, Object> copy = new LinkedHashMap<>(object);
            if (raw != null) {
                List<String> fields = new ArrayList<>(copy.keySet());
                String field = fields.isEmpty() || random.nextInt(5) == 0 ? "x" + random.nextInt(10)
                        : fields.get(random.nextInt(fields.size()));
                copy.put(field, new SchemaValues.Raw(raw));
            }
            if (poison || raw == null) {
                copy.put(UNKNOWN_FIELD, 1);
            }
            json = SchemaValues.json(copy);
        }
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Text no service may store: a NUL (PostgreSQL cannot hold one in text) or a lone surrogate
     * (no UTF-8 for it). Sent without the unknown property, so it reaches validation and storage.
     */
    static boolean neverValidText(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                return true;
            }
            if (Character.isHighSurrogate(c) && (i + 1 == value.length() || !Character.isLowSurrogate(value.charAt(i + 1)))) {
                return true;
            }
            if (Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(value.charAt(i - 1)))) {
                return true;
            }
        }
        return false;
    }

    /** A number past every int, long and double field's range: sent without the unknown property too. */
    static boolean outOfEveryRange(String number) {
        return !number.equals("-1") && !number.equals("1.0e-400") && !number.equals("2147483648")
                && !number.equals("-2147483649");
    }

    private static String huge(Random random) {
        List<String> values = List.of("99999999999999999999999999999999", "-99999999999999999999999999999999",
                "1e309", "-1e309", "2147483648", "-2147483649", "9223372036854775808", "1" + "0".repeat(5_000),
                "1.0e-400", "-1");
        return values.get(random.nextInt(values.size()));
    }

    private static byte[] lines(Random random, Kind kind) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 1 + random.nextInt(5); i++) {
            out.append(switch (random.nextInt(4)) {
                case 0 -> HostileInputs.brokenJson(random);
                case 1 -> "{\"id\":" + SchemaValues.quote(HostileInputs.string(random)) + ",\"" + UNKNOWN_FIELD + "\":1}";
                case 2 -> HostileInputs.deep(random, 2_000);
                default -> "[" + HostileInputs.number(random) + "]";
            }).append('\n');
        }
        byte[] text = out.toString().getBytes(StandardCharsets.UTF_8);
        if (kind == Kind.RAW_BYTES) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.writeBytes(text);
            bytes.writeBytes(HostileInputs.bytes(random));
            return bytes.toByteArray();
        }
        return text;
    }

    private static byte[] multipart(Random random, Kind kind) {
        String name = HostileInputs.string(random).replaceAll("[\\r\\n\"]", "");
        String body = "--b\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n" + name + "\r\n"
                + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../" + name + "\"\r\n"
                + "Content-Type: application/jsonl\r\n\r\n" + HostileInputs.brokenJson(random) + "\r\n"
                + (kind == Kind.BROKEN_JSON ? "" : "--b--\r\n");
        return body.getBytes(StandardCharsets.UTF_8);
    }

    private static String scalar(JsonNode schema) {
        if (schema == null) {
            return "1";
        }
        if (schema.has("enum")) {
            return schema.get("enum").get(0).asString();
        }
        return switch (schema.path("type").asString()) {
            case "integer", "number" -> "1";
            case "boolean" -> "true";
            default -> "uuid".equals(schema.path("format").asString()) ? UUID.randomUUID().toString() : "x";
        };
    }

    /** Percent-encodes every byte outside the unreserved set; {@code raw}: only spaces, so the rest goes as is. */
    static String percent(String value, boolean raw) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean plain = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0;
            if (plain || raw && c > 0x20 && c < 0x7f && c != '#' && c != '?' && c != '&' && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }
}

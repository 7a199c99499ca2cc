package org.iterpref.bench;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Renders Java values as Python literals for generated test code. */
final class Py {

    private Py() {
    }

    /** A tuple; rendered with parentheses (and a trailing comma for one element). */
    record Tuple(List<Object> items) {
        static Tuple of(Object... items) {
            return new Tuple(List.of(items));
        }
    }

    static String literal(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (value instanceof Integer || value instanceof Long) {
            return value.toString();
        }
        if (value instanceof String s) {
            return str(s);
        }
        if (value instanceof Tuple t) {
            String inner = t.items().stream().map(Py::literal).collect(Collectors.joining(", "));
            return t.items().size() == 1 ? "(" + inner + ",)" : "(" + inner + ")";
        }
        if (value instanceof List<?> list) {
            return list.stream().map(Py::literal).collect(Collectors.joining(", ", "[", "]"));
        }
        if (value instanceof Map<?, ?> map) {
            return map.entrySet().stream().map(e -> literal(e.getKey()) + ": " + literal(e.getValue()))
                    .collect(Collectors.joining(", ", "{", "}"));
        }
        throw new IllegalArgumentException("no Python literal for " + value.getClass());
    }

    /** A single-quoted string; only printable ASCII is expected. */
    static String str(String s) {
        StringBuilder out = new StringBuilder("'");
        for (char ch : s.toCharArray()) {
            if (ch < 0x20 || ch > 0x7e) {
                throw new IllegalArgumentException("non-printable character in generated string");
            }
            if (ch == '\\' || ch == '\'') {
                out.append('\\');
            }
            out.append(ch);
        }
        return out.append('\'').toString();
    }

    /** {@code assert call == expected}. */
    static String assertEquals(String call, Object expected) {
        return "assert " + call + " == " + literal(expected);
    }
}

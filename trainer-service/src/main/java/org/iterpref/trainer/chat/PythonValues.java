package org.iterpref.trainer.chat;

import com.hubspot.jinjava.objects.SafeString;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * How Jinja2 prints values: Python's {@code str()} of the rendered expression ({@code True},
 * {@code ['a', 1]}, {@code {'k': None}}, {@code 2.5}) where jinjava would print {@code true} or
 * JSON-like text. {@code null} prints as the empty string: jinjava does not tell an undefined
 * name (empty in Jinja2) from {@code None}, and undefined is what templates print by accident.
 */
final class PythonValues {

    private PythonValues() {
    }

    /** Python's {@code str(value)}, or {@code null} for a type Python would not know. */
    static String str(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof CharSequence || value instanceof SafeString) {
            return value.toString();
        }
        return repr(value);
    }

    /** Python's {@code repr(value)}, or {@code null} for a type Python would not know. */
    static String repr(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof Boolean bool) {
            return bool ? "True" : "False";
        }
        if (value instanceof CharSequence || value instanceof SafeString || value instanceof Character) {
            return quote(value.toString());
        }
        if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            double d = ((Number) value).doubleValue();
            return Double.isNaN(d) ? "nan" : Double.isInfinite(d) ? (d > 0 ? "inf" : "-inf") : PythonJson.floatRepr(d);
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger) {
            return value.toString();
        }
        if (value instanceof Map<?, ?> map) {
            StringJoiner out = new StringJoiner(", ", "{", "}");
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String key = repr(entry.getKey());
                String item = repr(entry.getValue());
                if (key == null || item == null) {
                    return null;
                }
                out.add(key + ": " + item);
            }
            return out.toString();
        }
        Iterator<?> items = value instanceof Iterable<?> iterable ? iterable.iterator()
                : value instanceof Object[] array ? List.of(array).iterator() : null;
        if (items == null) {
            return null;
        }
        StringJoiner out = new StringJoiner(", ", "[", "]");
        while (items.hasNext()) {
            String item = repr(items.next());
            if (item == null) {
                return null;
            }
            out.add(item);
        }
        return out.toString();
    }

    /** A Python string literal: single quotes unless the text has one and no double quote. */
    static String quote(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder(s.length() + 2).append(quote);
        s.codePoints().forEach(cp -> {
            if (cp == quote || cp == '\\') {
                out.append('\\').appendCodePoint(cp);
            } else if (cp == '\t') {
                out.append("\\t");
            } else if (cp == '\n') {
                out.append("\\n");
            } else if (cp == '\r') {
                out.append("\\r");
            } else if (printable(cp)) {
                out.appendCodePoint(cp);
            } else if (cp < 0x100) {
                out.append(String.format(Locale.ROOT, "\\x%02x", cp));
            } else if (cp < 0x10000) {
                out.append(String.format(Locale.ROOT, "\\u%04x", cp));
            } else {
                out.append(String.format(Locale.ROOT, "\\U%08x", cp));
            }
        });
        return out.append(quote).toString();
    }

    /** Python's {@code str.isprintable()} for one code point. */
    private static boolean printable(int cp) {
        if (cp == ' ') {
            return true;
        }
        switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                    Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SPACE_SEPARATOR:
                return false;
            default:
                return true;
        }
    }
}

package org.iterpref.trainer.chat;

import com.hubspot.jinjava.objects.SafeString;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Python's {@code json.dumps}, which Hugging Face's {@code tojson} template filter calls: {@code
 * ", "} and {@code ": "} separators (or {@code ","} with an indent), non-ASCII kept unless {@code
 * ensure_ascii}, control characters as lower-case backslash-u escapes, floats as Python's {@code
 * repr}. jinjava's own {@code tojson} writes Jackson's compact form instead.
 *
 * @param ensureAscii escape every character outside printable ASCII
 * @param indent the indent unit, or empty for one line
 * @param itemSeparator between items ({@code ", "}, or {@code ","} when indenting)
 * @param keySeparator between a key and its value
 * @param sortKeys write object keys in sorted order
 */
record PythonJson(boolean ensureAscii, Optional<String> indent, String itemSeparator, String keySeparator,
                  boolean sortKeys) {

    /** {@code json.dumps(value, ensure_ascii=False)}, Hugging Face's default. */
    static final PythonJson DEFAULT = new PythonJson(false, Optional.empty(), ", ", ": ", false);

    /** The text of {@code value}; maps, iterables, arrays, strings, numbers, booleans and null. */
    String dumps(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, 0);
        return out.toString();
    }

    private void write(Object value, StringBuilder out, int depth) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean bool) {
            out.append(bool ? "true" : "false");
        } else if (value instanceof CharSequence || value instanceof SafeString || value instanceof Character) {
            string(value.toString(), out);
        } else if (value instanceof Number number) {
            out.append(number(number));
        } else if (value instanceof Map<?, ?> map) {
            object(map, out, depth);
        } else if (value instanceof Iterable<?> iterable) {
            array(iterable.iterator(), out, depth);
        } else if (value instanceof Object[] array) {
            array(List.of(array).iterator(), out, depth);
        } else {
            throw new IllegalArgumentException("Object of type " + value.getClass().getSimpleName()
                    + " is not JSON serializable");
        }
    }

    private void object(Map<?, ?> map, StringBuilder out, int depth) {
        List<Map.Entry<String, Object>> entries = new ArrayList<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            entries.add(new AbstractMap.SimpleImmutableEntry<>(key(entry.getKey()), entry.getValue()));
        }
        if (sortKeys) {
            entries.sort(Map.Entry.comparingByKey());
        }
        if (entries.isEmpty()) {
            out.append("{}");
            return;
        }
        out.append('{');
        for (int i = 0; i < entries.size(); i++) {
            separate(out, i, depth + 1);
            string(entries.get(i).getKey(), out);
            out.append(keySeparator);
            write(entries.get(i).getValue(), out, depth + 1);
        }
        close(out, depth);
        out.append('}');
    }

    private void array(Iterator<?> items, StringBuilder out, int depth) {
        if (!items.hasNext()) {
            out.append("[]");
            return;
        }
        out.append('[');
        for (int i = 0; items.hasNext(); i++) {
            separate(out, i, depth + 1);
            write(items.next(), out, depth + 1);
        }
        close(out, depth);
        out.append(']');
    }

    private void separate(StringBuilder out, int index, int depth) {
        if (index > 0) {
            out.append(itemSeparator);
        }
        indent.ifPresent(unit -> out.append('\n').append(unit.repeat(depth)));
    }

    private void close(StringBuilder out, int depth) {
        indent.ifPresent(unit -> out.append('\n').append(unit.repeat(depth)));
    }

    private static String key(Object key) {
        if (key == null) {
            return "null";
        }
        if (key instanceof Boolean bool) {
            return bool ? "true" : "false";
        }
        if (key instanceof Number number) {
            return number(number);
        }
        if (key instanceof CharSequence || key instanceof SafeString) {
            return key.toString();
        }
        throw new IllegalArgumentException("keys must be str, int, float, bool or None, not "
                + key.getClass().getSimpleName());
    }

    private void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static String number(Number number) {
        if (number instanceof Double || number instanceof Float) {
            return floatRepr(number.doubleValue());
        }
        if (number instanceof BigDecimal decimal) {
            return floatRepr(decimal.doubleValue());
        }
        if (number instanceof BigInteger) {
            return number.toString();
        }
        return Long.toString(number.longValue());
    }

    /** Python's {@code repr(float)}: the shortest digits that read back to the same double. */
    static String floatRepr(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        if (value == 0) {
            return 1 / value < 0 ? "-0.0" : "0.0";
        }
        String scientific = null;
        for (int precision = 0; precision < 17; precision++) {
            scientific = String.format(Locale.ROOT, "%." + precision + "e", value);
            if (Double.parseDouble(scientific) == value) {
                break;
            }
        }
        int e = scientific.indexOf('e');
        String mantissa = scientific.substring(0, e);
        int exponent = Integer.parseInt(scientific.substring(e + 1));
        boolean negative = mantissa.startsWith("-");
        String digits = mantissa.replace("-", "").replace(".", "").replaceAll("0+$", "");
        if (digits.isEmpty()) {
            digits = "0";
        }
        StringBuilder out = new StringBuilder(negative ? "-" : "");
        if (exponent >= -4 && exponent < 16) {
            if (exponent >= 0) {
                String padded = digits.length() <= exponent + 1 ? digits + "0".repeat(exponent + 1 - digits.length())
                        : digits;
                String fraction = padded.substring(exponent + 1);
                out.append(padded, 0, exponent + 1).append('.').append(fraction.isEmpty() ? "0" : fraction);
            } else {
                out.append("0.").append("0".repeat(-exponent - 1)).append(digits);
            }
        } else {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            out.append('e').append(exponent < 0 ? '-' : '+').append(String.format(Locale.ROOT, "%02d",
                    Math.abs(exponent)));
        }
        return out.toString();
    }
}

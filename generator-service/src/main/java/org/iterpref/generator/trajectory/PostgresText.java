package org.iterpref.generator.trajectory;

import java.util.regex.Pattern;

/**
 * PostgreSQL cannot store U+0000: a {@code text} value with it fails ("invalid byte sequence for
 * encoding UTF8: 0x00") and so does a {@code jsonb} value whose JSON escapes it (backslash,
 * {@code u0000}: "unsupported Unicode escape sequence"). Models can emit it (a byte-level BPE decodes any byte)
 * and programs can print it, so what an iteration stores has each U+0000 replaced by U+FFFD.
 */
final class PostgresText {

    static final char NUL = '\u0000';
    static final char REPLACEMENT = '\uFFFD';

    /** Backslash-{@code u0000} after an even number (0, 2, ...) of backslashes: a JSON escape of U+0000. */
    private static final Pattern JSON_NUL = Pattern.compile("(?<!\\\\)((?:\\\\\\\\)*)\\\\u0000");

    private PostgresText() {
    }

    /** {@code value} with each U+0000 replaced by U+FFFD; {@code null} stays {@code null}. */
    static String text(String value) {
        return value == null || value.indexOf(NUL) < 0 ? value : value.replace(NUL, REPLACEMENT);
    }

    /** JSON text (as Jackson writes it) with each escaped U+0000 in its strings replaced by U+FFFD. */
    static String json(String value) {
        return value == null || !value.contains("\\u0000") ? value
                : JSON_NUL.matcher(value).replaceAll("$1" + REPLACEMENT);
    }
}

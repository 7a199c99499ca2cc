package org.iterpref.trainer.chat;

import com.hubspot.jinjava.el.ext.ExtendedScanner;
import jinjava.de.odysseus.el.tree.impl.Scanner.Symbol;

/**
 * jinjava's expression scanner with Jinja2's string literals: escapes are decoded as Python's
 * {@code unicode-escape} codec does ({@code \n}, {@code \t}, {@code \x41}, backslash-u and
 * backslash-U code points, octal, {@code \N{name}}; a backslash before a newline drops both; an
 * unknown escape keeps its backslash). jinjava itself knows only {@code \n \t \b \f \r \\ \' \"} and rejects the rest.
 */
final class PythonStringScanner extends ExtendedScanner {

    PythonStringScanner(String input) {
        super(input);
    }

    @Override
    protected Token nextString() throws ScanException {
        String input = getInput();
        int start = getPosition();
        char quote = input.charAt(start);
        builder.setLength(0);
        int i = start + 1;
        while (i < input.length()) {
            char c = input.charAt(i++);
            if (c == quote) {
                return token(Symbol.STRING, builder.toString(), i - start);
            }
            if (c != '\\') {
                builder.append(c);
                continue;
            }
            if (i == input.length()) {
                break;
            }
            i = escape(input, i, start);
        }
        throw new ScanException(start, "unterminated string", String.valueOf(quote));
    }

    /** Decodes the escape whose letter is at {@code i}; returns the index after it. */
    private int escape(String input, int i, int start) throws ScanException {
        char c = input.charAt(i++);
        switch (c) {
            case '\n':
                return i;
            case '\\':
            case '\'':
            case '"':
                builder.append(c);
                return i;
            case 'a':
                builder.append('\u0007');
                return i;
            case 'b':
                builder.append('\b');
                return i;
            case 'f':
                builder.append('\f');
                return i;
            case 'n':
                builder.append('\n');
                return i;
            case 'r':
                builder.append('\r');
                return i;
            case 't':
                builder.append('\t');
                return i;
            case 'v':
                builder.append('\u000b');
                return i;
            case 'x':
                return hex(input, i, 2, start);
            case 'u':
                return hex(input, i, 4, start);
            case 'U':
                return hex(input, i, 8, start);
            case 'N':
                return named(input, i, start);
            default:
                if (isOctal(c)) {
                    int end = i;
                    while (end < input.length() && end < i + 2 && isOctal(input.charAt(end))) {
                        end++;
                    }
                    builder.appendCodePoint(Integer.parseInt(input.substring(i - 1, end), 8));
                    return end;
                }
                builder.append('\\').append(c);
                return i;
        }
    }

    private static boolean isOctal(char c) {
        return c >= '0' && c <= '7';
    }

    private int hex(String input, int i, int digits, int start) throws ScanException {
        int end = i + digits;
        if (end > input.length() || !input.substring(i, end).chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
            throw new ScanException(start, "truncated \\" + input.charAt(i - 1) + " escape",
                    digits + " hex digits");
        }
        int codePoint = Integer.parseUnsignedInt(input.substring(i, end), 16);
        if (codePoint < 0 || codePoint > Character.MAX_CODE_POINT) {
            throw new ScanException(start, "illegal Unicode character", "a code point up to \\U0010ffff");
        }
        builder.appendCodePoint(codePoint);
        return end;
    }

    private int named(String input, int i, int start) throws ScanException {
        int close = input.indexOf('}', i);
        if (i >= input.length() || input.charAt(i) != '{' || close < 0) {
            throw new ScanException(start, "malformed \\N character escape", "\\N{name}");
        }
        try {
            builder.appendCodePoint(Character.codePointOf(input.substring(i + 1, close)));
        } catch (IllegalArgumentException e) {
            throw new ScanException(start, "unknown Unicode character name", "\\N{name}");
        }
        return close + 1;
    }
}

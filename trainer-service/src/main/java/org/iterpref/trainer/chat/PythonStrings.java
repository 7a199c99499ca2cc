package org.iterpref.trainer.chat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;

/**
 * Python 3 {@code str} semantics that chat templates rely on ({@code strip}, {@code split},
 * {@code title}, ...), over Java strings. Whitespace is Python's {@code str.isspace()}: Java's
 * {@link Character#isWhitespace} plus the no-break spaces and U+0085. Indices count code points,
 * as Python's do. Pure functions.
 */
final class PythonStrings {

    private PythonStrings() {
    }

    /** Python's {@code str.isspace()} for one code point. */
    static boolean isSpace(int codePoint) {
        return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint) || codePoint == 0x85;
    }

    /**
     * {@code strip}, {@code lstrip} or {@code rstrip}.
     *
     * @param chars the characters to remove, or {@code null} for whitespace
     */
    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        if (left) {
            while (start < end) {
                int cp = s.codePointAt(start);
                if (!stripped(cp, chars)) {
                    break;
                }
                start += Character.charCount(cp);
            }
        }
        if (right) {
            while (end > start) {
                int cp = s.codePointBefore(end);
                if (!stripped(cp, chars)) {
                    break;
                }
                end -= Character.charCount(cp);
            }
        }
        return s.substring(start, end);
    }

    private static boolean stripped(int codePoint, String chars) {
        return chars == null ? isSpace(codePoint) : chars.indexOf(Character.toString(codePoint)) >= 0;
    }

    /**
     * {@code str.split(sep, maxsplit)}.
     *
     * @param sep the separator, or {@code null} to split on runs of whitespace (dropping empty parts)
     * @param maxSplit at most this many splits; negative for no limit
     * @throws IllegalArgumentException when {@code sep} is empty (Python's {@code ValueError})
     */
    static List<String> split(String s, String sep, int maxSplit) {
        if (sep == null) {
            return splitWhitespace(s, maxSplit);
        }
        requireSeparator(sep);
        List<String> parts = new ArrayList<>();
        int from = 0;
        int index;
        while ((maxSplit < 0 || parts.size() < maxSplit) && (index = s.indexOf(sep, from)) >= 0) {
            parts.add(s.substring(from, index));
            from = index + sep.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    /** {@code str.rsplit(sep, maxsplit)}: as {@link #split} but splitting from the right. */
    static List<String> rsplit(String s, String sep, int maxSplit) {
        if (sep == null) {
            List<String> reversed = splitWhitespace(new StringBuilder(s).reverse().toString(), maxSplit);
            List<String> parts = new ArrayList<>(reversed.size());
            for (int i = reversed.size() - 1; i >= 0; i--) {
                parts.add(new StringBuilder(reversed.get(i)).reverse().toString());
            }
            return parts;
        }
        requireSeparator(sep);
        List<String> parts = new ArrayList<>();
        int to = s.length();
        int index;
        while ((maxSplit < 0 || parts.size() < maxSplit) && to >= sep.length()
                && (index = s.lastIndexOf(sep, to - sep.length())) >= 0) {
            parts.add(s.substring(index + sep.length(), to));
            to = index;
        }
        parts.add(s.substring(0, to));
        Collections.reverse(parts);
        return parts;
    }

    private static void requireSeparator(String sep) {
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
    }

    private static List<String> splitWhitespace(String s, int maxSplit) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (true) {
            while (i < n && isSpace(s.codePointAt(i))) {
                i += Character.charCount(s.codePointAt(i));
            }
            if (i >= n) {
                return parts;
            }
            if (maxSplit >= 0 && parts.size() == maxSplit) {
                parts.add(s.substring(i));
                return parts;
            }
            int start = i;
            while (i < n && !isSpace(s.codePointAt(i))) {
                i += Character.charCount(s.codePointAt(i));
            }
            parts.add(s.substring(start, i));
        }
    }

    /** {@code str.splitlines(keepends)}: splits at every line boundary Python knows ({@code \r\n} counts once). */
    static List<String> splitlines(String s, boolean keepEnds) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int end = i;
            if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                i += 2;
            } else if (c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || (c >= 0x1c && c <= 0x1e) || c == 0x85
                    || c == 0x2028 || c == 0x2029) {
                i++;
            } else {
                i++;
                continue;
            }
            lines.add(s.substring(start, keepEnds ? i : end));
            start = i;
        }
        if (start < s.length()) {
            lines.add(s.substring(start));
        }
        return lines;
    }

    /** {@code str.title()}: a cased character after an uncased one is title-cased, others lower-cased. */
    static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (previousCased) {
                out.append(Character.toString(cp).toLowerCase(Locale.ROOT));
            } else {
                out.appendCodePoint(Character.toTitleCase(cp));
            }
            previousCased = isCased(cp);
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    /** {@code str.capitalize()}: the first character title-cased, the rest lower-cased. */
    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        return new StringBuilder().appendCodePoint(Character.toTitleCase(first))
                .append(s.substring(Character.charCount(first)).toLowerCase(Locale.ROOT)).toString();
    }

    private static boolean isCased(int cp) {
        return Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
    }

    /** {@code str.replace(old, new, count)}; a negative count replaces every occurrence. */
    static String replace(String s, String old, String replacement, int count) {
        if (count == 0) {
            return s;
        }
        StringBuilder out = new StringBuilder();
        int done = 0;
        if (old.isEmpty()) {
            int i = 0;
            while (true) {
                if (count < 0 || done < count) {
                    out.append(replacement);
                    done++;
                } else {
                    return out.append(s, i, s.length()).toString();
                }
                if (i >= s.length()) {
                    return out.toString();
                }
                int cp = s.codePointAt(i);
                out.appendCodePoint(cp);
                i += Character.charCount(cp);
            }
        }
        int from = 0;
        int index;
        while ((count < 0 || done < count) && (index = s.indexOf(old, from)) >= 0) {
            out.append(s, from, index).append(replacement);
            from = index + old.length();
            done++;
        }
        return out.append(s, from, s.length()).toString();
    }

    /** {@code str.find(sub)} / {@code str.rfind(sub)} as a code-point index, or -1. */
    static int find(String s, String sub, boolean fromRight) {
        int index = fromRight ? s.lastIndexOf(sub) : s.indexOf(sub);
        return index < 0 ? -1 : s.codePointCount(0, index);
    }

    /** {@code str.count(sub)}: non-overlapping occurrences. */
    static int count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.codePointCount(0, s.length()) + 1;
        }
        int count = 0;
        for (int index = s.indexOf(sub); index >= 0; index = s.indexOf(sub, index + sub.length())) {
            count++;
        }
        return count;
    }

    /** Whether every code point is accepted and there is at least one ({@code isdigit}, {@code isalpha}, ...). */
    static boolean all(String s, IntPredicate test) {
        return !s.isEmpty() && s.codePoints().allMatch(test);
    }
}

package org.iterpref.generator.source.buginjection;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small scanning helpers over masked Python text, shared by the mutation finders. */
final class Expressions {

    static final Set<String> KEYWORDS = Set.of(
            "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
            "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
            "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield");

    private static final Pattern INTEGER = Pattern.compile("-?\\d+");
    private static final Pattern ENDS_WITH_ONE = Pattern.compile("^(.*\\S)\\s*([+-])\\s*1$");
    private static final Pattern UNSIMPLE_WORD = Pattern.compile(
            "\\b(?:if|else|for|lambda|and|or|not|in|is|yield|await)\\b");

    private Expressions() {
    }

    /** A span {@code [start, end)} of the text. */
    record Span(int start, int end) {

        String of(String text) {
            return text.substring(start, end);
        }

        boolean isEmpty() {
            return start >= end;
        }
    }

    static boolean isWordChar(char c) {
        return c == '_' || (c < 128 && Character.isLetterOrDigit(c));
    }

    /** The index of the bracket closing the one at {@code open}, or -1. */
    static int matchClose(String masked, int open) {
        int depth = 0;
        for (int i = open; i < masked.length(); i++) {
            char c = masked.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** The pieces of {@code [from, to)} between top-level {@code separator}s, each trimmed. */
    static List<Span> splitTopLevel(String masked, int from, int to, char separator) {
        List<Span> parts = new ArrayList<>();
        int depth = 0;
        int partStart = from;
        for (int i = from; i < to; i++) {
            char c = masked.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == separator && depth == 0) {
                parts.add(trim(masked, partStart, i));
                partStart = i + 1;
            }
        }
        parts.add(trim(masked, partStart, to));
        return parts;
    }

    static Span trim(String text, int from, int to) {
        int start = from;
        int end = to;
        while (start < end && Character.isWhitespace(text.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        return new Span(start, end);
    }

    /**
     * An arithmetic expression on one line that {@code + 1} can safely be appended to: no strings,
     * comparisons, boolean or bitwise operators, conditionals, lambdas, keyword arguments,
     * unpacking or top-level commas.
     */
    static boolean isSimple(String masked) {
        if (masked.isBlank() || masked.startsWith("*")) {
            return false;
        }
        for (int i = 0; i < masked.length(); i++) {
            if ("\"'\n<>=!:|&^~\\@;".indexOf(masked.charAt(i)) >= 0 || masked.charAt(i) == PythonLexer.FILL) {
                return false;
            }
        }
        return !UNSIMPLE_WORD.matcher(masked).find() && splitTopLevel(masked, 0, masked.length(), ',').size() == 1;
    }

    /** True when the expression is one primary (a name, call, subscript...), so a suffix binds to all of it. */
    static boolean isPrimary(String masked) {
        int depth = 0;
        for (int i = 0; i < masked.length(); i++) {
            char c = masked.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (depth == 0 && !(isWordChar(c) || c == '.' || c == '"' || c == '\'' || c == PythonLexer.FILL)) {
                return false;
            }
        }
        return !masked.isEmpty() && !KEYWORDS.contains(masked);
    }

    /**
     * Off-by-one variants of a simple expression: an integer literal becomes {@code n + 1} and
     * {@code n - 1}; an expression ending in {@code + 1}/{@code - 1} loses it; any other gets
     * {@code " + 1"} and {@code " - 1"} appended.
     */
    static List<String> offByOne(String expression) {
        if (INTEGER.matcher(expression).matches()) {
            long value = Long.parseLong(expression);
            return List.of(Long.toString(value + 1), Long.toString(value - 1));
        }
        Matcher matcher = ENDS_WITH_ONE.matcher(expression);
        if (matcher.matches()) {
            char last = matcher.group(1).charAt(matcher.group(1).length() - 1);
            if (isWordChar(last) || last == ')' || last == ']') {
                return List.of(matcher.group(1));
            }
            return List.of();
        }
        return List.of(expression + " + 1", expression + " - 1");
    }

    /** The index of the last non-blank character before {@code index} (skipping line breaks), or -1. */
    static int previousSignificant(String masked, int index) {
        int i = index - 1;
        while (i >= 0 && (Character.isWhitespace(masked.charAt(i)) || masked.charAt(i) == '\\')) {
            i--;
        }
        return i;
    }

    /** The index of the first non-blank character from {@code index}, or the text's length. */
    static int nextSignificant(String masked, int index) {
        int i = index;
        while (i < masked.length() && (Character.isWhitespace(masked.charAt(i)) || masked.charAt(i) == '\\')) {
            i++;
        }
        return i;
    }

    /** The word (letters, digits, underscores and dots) ending at {@code last} inclusive. */
    static String wordEndingAt(String masked, int last) {
        int start = last;
        while (start > 0 && (isWordChar(masked.charAt(start - 1)) || masked.charAt(start - 1) == '.')) {
            start--;
        }
        return masked.substring(start, last + 1);
    }

    /** Does an operand (name, literal, closing bracket or string) end at {@code index}? */
    static boolean operandEndsAt(String masked, int index) {
        if (index < 0) {
            return false;
        }
        char c = masked.charAt(index);
        if (c == ')' || c == ']' || c == '}' || c == '"' || c == '\'') {
            return true;
        }
        if (!isWordChar(c)) {
            return false;
        }
        String word = wordEndingAt(masked, index);
        int dot = word.lastIndexOf('.');
        return !KEYWORDS.contains(dot >= 0 ? word.substring(dot + 1) : word);
    }

    /** Is the operator at {@code index} binary (an operand ends just before it)? */
    static boolean isBinaryAt(String masked, int index) {
        int previous = previousSignificant(masked, index);
        if (!operandEndsAt(masked, previous)) {
            return false;
        }
        String word = wordEndingAt(masked, previous);
        boolean exponent = !word.isEmpty() && (Character.isDigit(word.charAt(0)) || word.charAt(0) == '.')
                && (word.endsWith("e") || word.endsWith("E")) && previous == index - 1;
        return !exponent;
    }

    /** The index of the bracket opening the one closing at {@code close}, or -1. */
    static int matchOpen(String masked, int close) {
        int depth = 0;
        for (int i = close; i >= 0; i--) {
            char c = masked.charAt(i);
            if (c == ')' || c == ']' || c == '}') {
                depth++;
            } else if (c == '(' || c == '[' || c == '{') {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** Does the {@code ]} at {@code close} end a subscript ({@code x[i]}) rather than a list literal? */
    static boolean isSubscriptEnd(String masked, int close) {
        int open = matchOpen(masked, close);
        return open > 0 && operandEndsAt(masked, previousSignificant(masked, open));
    }
}

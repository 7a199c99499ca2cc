package org.iterpref.generator.source.buginjection;

import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Guesses what a returned expression is (boolean, number, sequence) from its shape, or for a bare
 * name from the first assignment to it, and proposes a close but wrong value of the same kind.
 */
final class ReturnGuess {

    enum Shape { BOOLEAN, NUMBER, SEQUENCE, UNKNOWN }

    private static final Pattern INTEGER = Pattern.compile("-?\\d+");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_]\\w*");
    private static final Pattern NUMBER_LITERAL = Pattern.compile("-?\\d+\\.\\d*|-?\\d*\\.\\d+");
    private static final Pattern BOOLEAN_WORDS = Pattern.compile("(?<![\\w.])(?:and|or|not|in|is)(?!\\w)|[<>]|[=!]=");
    private static final Pattern CALL_NAME = Pattern.compile("^(?:[\\w.]*\\.)?(\\w+)\\(");
    private static final Pattern ARITHMETIC = Pattern.compile("\\w\\s*[-+*/%]");
    private static final Set<String> BOOLEAN_CALLS = Set.of(
            "all", "any", "isinstance", "issubclass", "callable", "bool", "hasattr", "startswith", "endswith");
    private static final Set<String> NUMBER_CALLS = Set.of(
            "len", "sum", "abs", "int", "round", "max", "min", "count", "index", "find", "pow", "ord", "float");
    private static final Set<String> SEQUENCE_CALLS = Set.of(
            "sorted", "list", "str", "tuple", "join", "split", "upper", "lower", "strip", "replace", "format");

    private final String searchable;

    ReturnGuess(String searchable) {
        this.searchable = searchable;
    }

    /** A wrong value to return instead of {@code expression} (whose masked text is given), or null. */
    String wrongValue(String expression, String masked) {
        switch (masked) {
            case "True": return "False";
            case "False": return "True";
            case "None": return null;
            default: break;
        }
        if (INTEGER.matcher(masked).matches()) {
            return Long.toString(Long.parseLong(masked) + 1);
        }
        List<String> offByOne = Expressions.isSimple(masked) ? Expressions.offByOne(expression) : List.of();
        if (offByOne.size() == 1) {
            return offByOne.get(0); // `return n - 1` becomes `return n`
        }
        Shape shape = shapeOf(masked);
        if (shape == Shape.UNKNOWN && NAME.matcher(masked).matches()) {
            shape = shapeOfName(masked);
        }
        return switch (shape) {
            case BOOLEAN -> negation(expression, masked);
            case NUMBER -> (Expressions.isSimple(masked) ? expression : "(" + expression + ")") + " + 1";
            case SEQUENCE -> (Expressions.isPrimary(masked) ? expression : "(" + expression + ")") + "[:-1]";
            case UNKNOWN -> "None";
        };
    }

    static Shape shapeOf(String masked) {
        String top = topLevel(masked);
        if (Pattern.compile("(?<![\\w.])(?:if|lambda|yield|await)(?!\\w)").matcher(top).find() || top.contains(",")) {
            return Shape.UNKNOWN;
        }
        Matcher call = CALL_NAME.matcher(top);
        String callee = call.find() && Expressions.isPrimary(masked) ? call.group(1) : "";
        if (BOOLEAN_WORDS.matcher(top).find() || BOOLEAN_CALLS.contains(callee)
                || (callee.startsWith("is") && !callee.equals("isqrt"))) {
            return Shape.BOOLEAN;
        }
        if (top.startsWith("[") || top.startsWith("\"") || top.startsWith("'") || SEQUENCE_CALLS.contains(callee)) {
            return Shape.SEQUENCE;
        }
        if (NUMBER_CALLS.contains(callee) || NUMBER_LITERAL.matcher(masked).matches()
                || (ARITHMETIC.matcher(top).find() && !top.contains("\"") && !top.contains("'"))) {
            return Shape.NUMBER;
        }
        return Shape.UNKNOWN;
    }

    private Shape shapeOfName(String name) {
        Matcher assignment = Pattern.compile("(?m)^[ \\t]*" + Pattern.quote(name)
                + "[ \\t]*(?::[^=\\n]+)?=(?!=)[ \\t]*(\\S[^\\n]*?)[ \\t]*$").matcher(searchable);
        if (!assignment.find()) {
            return Shape.UNKNOWN;
        }
        String value = assignment.group(1);
        if (INTEGER.matcher(value).matches() || value.startsWith("float(")) {
            return Shape.NUMBER;
        }
        if (value.equals("True") || value.equals("False")) {
            return Shape.BOOLEAN;
        }
        Shape shape = shapeOf(value);
        return shape == Shape.SEQUENCE || shape == Shape.NUMBER ? shape : Shape.UNKNOWN;
    }

    private static String negation(String expression, String masked) {
        if (masked.startsWith("not ") && !BOOLEAN_WORDS.matcher(topLevel(masked.substring(4))).find()) {
            return expression.substring(4).strip();
        }
        return Expressions.isPrimary(masked) ? "not " + expression : "not (" + expression + ")";
    }

    /** The text with everything inside brackets blanked, so only top-level tokens show. */
    private static String topLevel(String masked) {
        StringBuilder top = new StringBuilder(masked.length());
        int depth = 0;
        for (int i = 0; i < masked.length(); i++) {
            char c = masked.charAt(i);
            if (c == ')' || c == ']' || c == '}') {
                depth--;
            }
            top.append(depth > 0 ? ' ' : c);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            }
        }
        return top.toString();
    }
}

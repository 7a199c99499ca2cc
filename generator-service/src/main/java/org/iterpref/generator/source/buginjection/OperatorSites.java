package org.iterpref.generator.source.buginjection;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link MutationKind#WRONG_OPERATOR}: binary {@code +}↔{@code -}, {@code *}→{@code +},
 * {@code //}→{@code /}, {@code +=}↔{@code -=}, {@code and}↔{@code or}. Unary signs, unpacking
 * stars, powers, exponents of number literals and string concatenations are left alone.
 */
final class OperatorSites implements SiteFinder {

    private static final Pattern BOOLEAN = Pattern.compile("(?<![\\w.])(and|or)(?!\\w)");
    private static final String OPERATOR_CHARS = "+-*/%=<>!&|^~@";

    @Override
    public List<Mutation> find(PythonSource source) {
        String text = source.searchable();
        List<Mutation> found = new ArrayList<>();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '+' || c == '-') {
                additive(source, i, found);
            } else if (c == '*') {
                multiplicative(source, i, found);
            } else if (c == '/' && at(text, i + 1) == '/' && at(text, i - 1) != '/' && at(text, i + 2) != '='
                    && Expressions.isBinaryAt(text, i)) {
                add(source, found, i, i + 2, "//", "/");
            }
        }
        Matcher matcher = BOOLEAN.matcher(text);
        while (matcher.find()) {
            String swapped = matcher.group(1).equals("and") ? "or" : "and";
            add(source, found, matcher.start(), matcher.end(), matcher.group(1), swapped);
        }
        return found;
    }

    private static void additive(PythonSource source, int i, List<Mutation> found) {
        String text = source.searchable();
        char c = text.charAt(i);
        String other = c == '+' ? "-" : "+";
        if (at(text, i + 1) == '=') {
            if (OPERATOR_CHARS.indexOf(at(text, i - 1)) < 0 && at(text, i + 2) != '='
                    && !isQuote(text, Expressions.nextSignificant(text, i + 2))) {
                add(source, found, i, i + 2, c + "=", other + "=");
            }
            return;
        }
        if (at(text, i + 1) == '>' || !Expressions.isBinaryAt(text, i)) {
            return;
        }
        if (c == '+' && (isQuote(text, Expressions.previousSignificant(text, i))
                || startsString(text, Expressions.nextSignificant(text, i + 1)))) {
            return;
        }
        add(source, found, i, i + 1, String.valueOf(c), other);
    }

    private static void multiplicative(PythonSource source, int i, List<Mutation> found) {
        String text = source.searchable();
        if (at(text, i - 1) == '*' || at(text, i + 1) == '*' || at(text, i + 1) == '=') {
            return;
        }
        if (!Expressions.isBinaryAt(text, i)) {
            return;
        }
        int previous = Expressions.previousSignificant(text, i);
        if (isQuote(text, previous) || (text.charAt(previous) == ']' && !Expressions.isSubscriptEnd(text, previous))
                || startsString(text, Expressions.nextSignificant(text, i + 1))) {
            return; // repetition of a string or list literal, or a probable list
        }
        add(source, found, i, i + 1, "*", "+");
    }

    private static void add(PythonSource source, List<Mutation> found, int start, int end, String from, String to) {
        int line = source.lineOf(start);
        found.add(new Mutation(MutationKind.WRONG_OPERATOR, line, start, end, to,
                "changed operator `" + from + "` to `" + to + "` on line " + line));
    }

    private static char at(String text, int index) {
        return index >= 0 && index < text.length() ? text.charAt(index) : ' ';
    }

    private static boolean isQuote(String text, int index) {
        return at(text, index) == '"' || at(text, index) == '\'';
    }

    /** A string literal, possibly prefixed (f"", r'', b""), starts at {@code index}. */
    private static boolean startsString(String text, int index) {
        int i = index;
        while (i < text.length() && i < index + 2 && "rRbBuUfF".indexOf(text.charAt(i)) >= 0) {
            i++;
        }
        return isQuote(text, i);
    }
}

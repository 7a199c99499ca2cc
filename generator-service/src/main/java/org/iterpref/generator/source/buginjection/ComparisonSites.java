package org.iterpref.generator.source.buginjection;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@link MutationKind#FLIPPED_COMPARISON}: {@code <}↔{@code <=}, {@code <}↔{@code >}, {@code ==}↔{@code !=}. */
final class ComparisonSites implements SiteFinder {

    private static final Map<String, List<String>> FLIPS = Map.of(
            "<", List.of("<=", ">"),
            "<=", List.of("<"),
            ">", List.of(">=", "<"),
            ">=", List.of(">"),
            "==", List.of("!="),
            "!=", List.of("=="));

    @Override
    public List<Mutation> find(PythonSource source) {
        String text = source.searchable();
        List<Mutation> found = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            String operator = operatorAt(text, i);
            if (operator == null) {
                i++;
                continue;
            }
            int line = source.lineOf(i);
            for (String flipped : FLIPS.get(operator)) {
                found.add(new Mutation(MutationKind.FLIPPED_COMPARISON, line, i, i + operator.length(), flipped,
                        "flipped comparison `" + operator + "` to `" + flipped + "` on line " + line));
            }
            i += operator.length();
        }
        return found;
    }

    /** The comparison operator starting at {@code i}, or null (shifts, arrows, augmented assignments). */
    private static String operatorAt(String text, int i) {
        char c = text.charAt(i);
        char previous = i > 0 ? text.charAt(i - 1) : ' ';
        char next = i + 1 < text.length() ? text.charAt(i + 1) : ' ';
        char afterNext = i + 2 < text.length() ? text.charAt(i + 2) : ' ';
        if (c == '<' || c == '>') {
            if ("<>-=!".indexOf(previous) >= 0 || next == '<' || next == '>') {
                return null;
            }
            return next == '=' ? c + "=" : String.valueOf(c);
        }
        if ((c == '=' || c == '!') && next == '=' && afterNext != '=') {
            if (c == '=' && "<>=!+-*/%&|^@:".indexOf(previous) >= 0) {
                return null;
            }
            return c + "=";
        }
        return null;
    }
}

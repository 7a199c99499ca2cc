package org.iterpref.generator.source.buginjection;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@link MutationKind#INDEX_OFF_BY_ONE}: a simple subscript {@code x[i]} becomes {@code x[i + 1]}
 * or {@code x[i - 1]} ({@code x[i - 1]} becomes {@code x[i]}, {@code x[0]} becomes {@code x[1]}),
 * and one side of a simple slice {@code x[a:b]} moves by one. String keys, tuples, extended slices
 * and type subscripts ({@code list[int]}) are left alone.
 */
final class IndexSites implements SiteFinder {

    private static final Set<String> TYPE_NAMES = Set.of("list", "dict", "tuple", "set", "frozenset", "type");

    @Override
    public List<Mutation> find(PythonSource source) {
        String text = source.searchable();
        List<Mutation> found = new ArrayList<>();
        for (int open = text.indexOf('['); open >= 0; open = text.indexOf('[', open + 1)) {
            int close = Expressions.matchClose(text, open);
            if (close < 0 || !isSubscript(text, open)) {
                continue;
            }
            List<Expressions.Span> sides = Expressions.splitTopLevel(text, open + 1, close, ':');
            if (sides.size() > 2) {
                continue;
            }
            for (Expressions.Span side : sides) {
                if (!side.isEmpty() && Expressions.isSimple(side.of(text))) {
                    addVariants(source, side, sides.size() == 2, found);
                }
            }
        }
        return found;
    }

    private static boolean isSubscript(String text, int open) {
        int previous = open - 1;
        while (previous >= 0 && (text.charAt(previous) == ' ' || text.charAt(previous) == '\t')) {
            previous--;
        }
        if (!Expressions.operandEndsAt(text, previous)) {
            return false;
        }
        char c = text.charAt(previous);
        if (c == '"' || c == '\'' || c == '}') {
            return false;
        }
        if (Expressions.isWordChar(c)) {
            String word = Expressions.wordEndingAt(text, previous);
            String name = word.substring(word.lastIndexOf('.') + 1);
            return !name.isEmpty() && !TYPE_NAMES.contains(name) && !Character.isUpperCase(name.charAt(0));
        }
        return true;
    }

    private static void addVariants(PythonSource source, Expressions.Span index, boolean slice,
                                    List<Mutation> found) {
        String expression = index.of(source.original());
        int line = source.lineOf(index.start());
        String what = slice ? "the slice bound `" : "the index `";
        for (String variant : Expressions.offByOne(expression)) {
            found.add(new Mutation(MutationKind.INDEX_OFF_BY_ONE, line, index.start(), index.end(), variant,
                    "changed " + what + expression + "` to `" + variant + "` on line " + line));
        }
    }
}

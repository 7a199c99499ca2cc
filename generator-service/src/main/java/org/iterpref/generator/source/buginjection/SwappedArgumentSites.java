package org.iterpref.generator.source.buginjection;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link MutationKind#SWAPPED_ARGUMENTS}: a call {@code f(a, b)} with exactly two different simple
 * positional arguments (names, attributes or numbers) becomes {@code f(b, a)}. Calls where the
 * order cannot matter ({@code max}, {@code min}...) or where swapping is not a plausible slip
 * ({@code isinstance}, {@code getattr}...) are left alone.
 */
final class SwappedArgumentSites implements SiteFinder {

    private static final Pattern CALL = Pattern.compile("(?<![\\w.])([A-Za-z_][\\w.]*)\\s*\\(");
    private static final Pattern SIMPLE_ARGUMENT = Pattern.compile("-?(?:[A-Za-z_][\\w.]*|\\d+(?:\\.\\d+)?)");
    private static final Set<String> SKIPPED = Set.of(
            "max", "min", "gcd", "lcm", "hypot", "isclose", "isinstance", "issubclass", "hasattr", "getattr",
            "setattr", "delattr", "print", "super");

    @Override
    public List<Mutation> find(PythonSource source) {
        String text = source.searchable();
        List<Mutation> found = new ArrayList<>();
        Matcher matcher = CALL.matcher(text);
        while (matcher.find()) {
            String callee = matcher.group(1);
            String name = callee.substring(callee.lastIndexOf('.') + 1);
            if (Expressions.KEYWORDS.contains(name) || SKIPPED.contains(name) || callee.endsWith(".")) {
                continue;
            }
            int open = matcher.end() - 1;
            int close = Expressions.matchClose(text, open);
            if (close >= 0) {
                swap(source, callee, Expressions.splitTopLevel(text, open + 1, close, ','), found);
            }
        }
        return found;
    }

    private static void swap(PythonSource source, String callee, List<Expressions.Span> arguments,
                             List<Mutation> found) {
        if (arguments.size() != 2) {
            return;
        }
        String code = source.original();
        Expressions.Span first = arguments.get(0);
        Expressions.Span second = arguments.get(1);
        String a = first.of(source.searchable());
        String b = second.of(source.searchable());
        if (!isSimpleArgument(a) || !isSimpleArgument(b) || a.equals(b)) {
            return;
        }
        String between = code.substring(first.end(), second.start());
        int line = source.lineOf(first.start());
        found.add(new Mutation(MutationKind.SWAPPED_ARGUMENTS, line, first.start(), second.end(),
                b + between + a,
                "swapped arguments `" + a + "` and `" + b + "` of `" + callee + "` on line " + line));
    }

    private static boolean isSimpleArgument(String argument) {
        if (!SIMPLE_ARGUMENT.matcher(argument).matches()) {
            return false;
        }
        String word = argument.startsWith("-") ? argument.substring(1) : argument;
        return !Expressions.KEYWORDS.contains(word);
    }
}

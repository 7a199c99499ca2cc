package org.iterpref.generator.source.buginjection;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link MutationKind#RANGE_BOUND}: the stop of {@code range(stop)}, {@code range(start, stop)} or
 * {@code range(start, stop, step)} moves by one ({@code n} → {@code n + 1}/{@code n - 1},
 * {@code n - 1} → {@code n}, {@code 10} → {@code 11}/{@code 9}).
 */
final class RangeBoundSites implements SiteFinder {

    private static final Pattern RANGE = Pattern.compile("(?<![\\w.])range\\s*\\(");

    @Override
    public List<Mutation> find(PythonSource source) {
        String text = source.searchable();
        List<Mutation> found = new ArrayList<>();
        Matcher matcher = RANGE.matcher(text);
        while (matcher.find()) {
            int open = matcher.end() - 1;
            int close = Expressions.matchClose(text, open);
            if (close < 0) {
                continue;
            }
            List<Expressions.Span> arguments = Expressions.splitTopLevel(text, open + 1, close, ',');
            if (arguments.size() > 3 || arguments.get(0).isEmpty()) {
                continue;
            }
            Expressions.Span stop = arguments.get(arguments.size() == 1 ? 0 : 1);
            if (!stop.isEmpty() && Expressions.isSimple(stop.of(text))) {
                addVariants(source, stop, found);
            }
        }
        return found;
    }

    private static void addVariants(PythonSource source, Expressions.Span stop, List<Mutation> found) {
        String bound = stop.of(source.original());
        int line = source.lineOf(stop.start());
        for (String variant : Expressions.offByOne(bound)) {
            found.add(new Mutation(MutationKind.RANGE_BOUND, line, stop.start(), stop.end(), variant,
                    "changed the range bound `" + bound + "` to `" + variant + "` on line " + line));
        }
    }
}

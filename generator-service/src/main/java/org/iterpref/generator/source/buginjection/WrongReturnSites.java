package org.iterpref.generator.source.buginjection;

import java.util.List;
import java.util.ArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link MutationKind#WRONG_RETURN}: {@code return x} returns something close but wrong, chosen
 * from what {@code x} looks like ({@link ReturnGuess}): a boolean is negated, a number is off by
 * one, a sequence loses its last element, anything else becomes {@code None}.
 */
final class WrongReturnSites implements SiteFinder {

    private static final Pattern RETURN = Pattern.compile("^(\\s*return\\s+)(\\S.*?)\\s*$");

    @Override
    public List<Mutation> find(PythonSource source) {
        List<Mutation> found = new ArrayList<>();
        ReturnGuess guess = new ReturnGuess(source.searchable());
        for (PythonSource.LogicalLine statement : source.logicalLines()) {
            if (!statement.mutable() || !statement.singlePhysicalLine()) {
                continue;
            }
            String masked = source.masked().substring(statement.start(), statement.end());
            Matcher matcher = RETURN.matcher(masked);
            if (!matcher.matches() || masked.contains(";")) {
                continue;
            }
            int start = statement.start() + matcher.start(2);
            int end = statement.start() + matcher.end(2);
            String expression = source.original().substring(start, end);
            String wrong = guess.wrongValue(expression, matcher.group(2));
            if (wrong != null && !wrong.equals(expression)) {
                int line = statement.firstLine();
                found.add(new Mutation(MutationKind.WRONG_RETURN, line, start, end, wrong,
                        "changed `return " + expression + "` to `return " + wrong + "` on line " + line));
            }
        }
        return found;
    }
}

package org.iterpref.generator.source.buginjection;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link MutationKind#WRONG_INITIAL_VALUE}: a statement {@code name = <literal>} (optionally
 * annotated) starts from a wrong value of a compatible type: {@code 0}↔{@code 1}, {@code ""} →
 * {@code " "}, {@code []} → {@code [0]}, {@code {}} → {@code {0: 0}}, {@code None} → {@code 0},
 * {@code True}↔{@code False}, {@code float('inf')} → {@code 0}.
 */
final class InitialValueSites implements SiteFinder {

    private static final Pattern ASSIGNMENT = Pattern.compile(
            "^\\s*([A-Za-z_][\\w.]*)\\s*(?::[^=]+)?=(?!=)\\s*(\\S.*?)\\s*$");
    private static final Map<String, String> WRONG = Map.ofEntries(
            Map.entry("0", "1"),
            Map.entry("1", "0"),
            Map.entry("-1", "0"),
            Map.entry("0.0", "1.0"),
            Map.entry("\"\"", "\" \""),
            Map.entry("''", "' '"),
            Map.entry("[]", "[0]"),
            Map.entry("{}", "{0: 0}"),
            Map.entry("set()", "{0}"),
            Map.entry("None", "0"),
            Map.entry("True", "False"),
            Map.entry("False", "True"),
            Map.entry("float('inf')", "0"),
            Map.entry("float(\"inf\")", "0"),
            Map.entry("float('-inf')", "0"),
            Map.entry("float(\"-inf\")", "0"),
            Map.entry("math.inf", "0"),
            Map.entry("-math.inf", "0"),
            Map.entry("sys.maxsize", "0"));

    @Override
    public List<Mutation> find(PythonSource source) {
        List<Mutation> found = new ArrayList<>();
        for (PythonSource.LogicalLine statement : source.logicalLines()) {
            if (!statement.mutable() || !statement.singlePhysicalLine()) {
                continue;
            }
            String masked = source.masked().substring(statement.start(), statement.end());
            Matcher matcher = ASSIGNMENT.matcher(masked);
            if (!matcher.matches()) {
                continue;
            }
            int start = statement.start() + matcher.start(2);
            int end = statement.start() + matcher.end(2);
            String value = source.original().substring(start, end);
            String wrong = WRONG.get(value);
            if (wrong != null) {
                String name = matcher.group(1);
                found.add(new Mutation(MutationKind.WRONG_INITIAL_VALUE, statement.firstLine(), start, end, wrong,
                        "changed the initial value of `" + name + "` from `" + value + "` to `" + wrong
                                + "` on line " + statement.firstLine()));
            }
        }
        return found;
    }
}

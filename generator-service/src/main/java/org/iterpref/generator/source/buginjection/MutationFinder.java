package org.iterpref.generator.source.buginjection;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the candidate mutation sites of Python source, every {@link MutationKind}, without running
 * Python: string literals (any quoting, f-strings included), comments, docstrings and
 * {@code def}/{@code class} header lines are never touched. The result is sorted by offset and is
 * a pure function of the code.
 */
public final class MutationFinder {

    private static final Comparator<Mutation> ORDER = Comparator.comparingInt(Mutation::start)
            .thenComparingInt(Mutation::end)
            .thenComparing(Mutation::kind)
            .thenComparing(Mutation::replacement);

    private final List<SiteFinder> finders = List.of(
            new RangeBoundSites(),
            new IndexSites(),
            new ComparisonSites(),
            new InitialValueSites(),
            new OperatorSites(),
            new DeletedLineSites(),
            new SwappedArgumentSites(),
            new WrongReturnSites());

    /** Every candidate mutation of {@code code}; each one alone leaves its offsets on the original text. */
    public List<Mutation> find(String code) {
        PythonSource source = PythonSource.parse(code);
        List<Mutation> all = new ArrayList<>();
        for (SiteFinder finder : finders) {
            all.addAll(finder.find(source));
        }
        all.sort(ORDER);
        Map<String, Mutation> distinct = new LinkedHashMap<>();
        for (Mutation mutation : all) {
            if (!code.substring(mutation.start(), mutation.end()).equals(mutation.replacement())) {
                distinct.putIfAbsent(mutation.start() + ":" + mutation.end() + ":" + mutation.replacement(), mutation);
            }
        }
        return List.copyOf(distinct.values());
    }
}

package org.iterpref.common.pair;

import java.util.ArrayList;
import java.util.List;

/**
 * The error region of a pair in the TRL / Target-DPO format ({@code prompt}, {@code chosen},
 * {@code rejected}, optional {@code error_spans}): the spans as given, checked, or computed from
 * the completions when absent. Every service that imports such pairs (the generator's pair
 * import, the trainer's uploaded files and pair feed) reads them through here. The generator, whose
 * regions are sets of lines, also requires whole lines ({@link #ofWholeLines}); the trainer accepts
 * any checked span, so whatever the generator serves the trainer accepts.
 */
public final class ErrorSpans {

    private static final ErrorRegionFinder FINDER = new ErrorRegionFinder();

    private ErrorSpans() {
    }

    /**
     * The region of {@code rejected}: computed by {@link ErrorRegionFinder#findInCompletion} (fence
     * aware, relative to the completion text as given) when {@code given} is null, else the given
     * spans once checked.
     *
     * @param given {@code [start, end]} pairs in code points of {@code rejected}, or null
     * @throws IllegalArgumentException naming {@code error_spans} when a span is not a pair of
     *     integers {@code 0 <= start < end <= length}, or the spans are not sorted and disjoint
     */
    public static ErrorRegion of(List<long[]> given, String rejected, String chosen) {
        if (given == null) {
            return FINDER.findInCompletion(rejected, chosen);
        }
        return checked(given, rejected, chosen);
    }

    /**
     * {@link #of}, and given spans must also cover whole lines, as the platform's own spans do (each
     * from a line's start to just after its newline, or to the end of {@code rejected}): an error
     * region is a set of lines, and a span cutting a line would mask part of a line in focal DPO.
     *
     * @throws IllegalArgumentException naming {@code error_spans} as {@link #of} does, and for a span
     *     that starts or ends inside a line
     */
    public static ErrorRegion ofWholeLines(List<long[]> given, String rejected, String chosen) {
        ErrorRegion region = of(given, rejected, chosen);
        if (given != null) {
            int[] cps = rejected.codePoints().toArray();
            for (CharSpan span : region.spans()) {
                boolean startsLine = span.start() == 0 || cps[span.start() - 1] == '\n';
                boolean endsLine = span.end() == cps.length || cps[span.end() - 1] == '\n';
                if (!startsLine || !endsLine) {
                    throw new IllegalArgumentException("error_spans: [" + span.start() + ", " + span.end()
                            + ") does not cover whole lines (a span starts where a line starts and ends just "
                            + "after a newline or at the end of rejected)");
                }
            }
        }
        return region;
    }

    /**
     * {@code error_spans} as a JSON reader maps it to plain Java (a list of two-element lists of
     * integers; JSON null or absent is Java null), ready for {@link #of}.
     *
     * @throws IllegalArgumentException naming {@code error_spans} for any other shape, a fraction
     *     or an integer out of range included
     */
    public static List<long[]> fromJson(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("error_spans must be an array of [start, end] pairs");
        }
        List<long[]> spans = new ArrayList<>(list.size());
        for (Object item : list) {
            if (!(item instanceof List<?> pair) || pair.size() != 2 || !isInt(pair.get(0)) || !isInt(pair.get(1))) {
                throw new IllegalArgumentException("error_spans: each span must be [start, end] integers");
            }
            spans.add(new long[] {((Number) pair.get(0)).longValue(), ((Number) pair.get(1)).longValue()});
        }
        return spans;
    }

    private static boolean isInt(Object value) {
        return (value instanceof Integer) || (value instanceof Long l && l == l.intValue())
                || (value instanceof Short) || (value instanceof Byte);
    }

    private static ErrorRegion checked(List<long[]> given, String rejected, String chosen) {
        int length = rejected.codePointCount(0, rejected.length());
        List<CharSpan> spans = new ArrayList<>(given.size());
        for (long[] span : given) {
            if (span == null || span.length != 2) {
                throw new IllegalArgumentException("error_spans: each span must be [start, end] integers");
            }
            long start = span[0];
            long end = span[1];
            if (start < 0 || end <= start || end > length
                    || (!spans.isEmpty() && start < spans.get(spans.size() - 1).end())) {
                throw new IllegalArgumentException("error_spans: [" + start + ", " + end + ") is not a sorted, "
                        + "non-overlapping span inside rejected (" + length + " code points)");
            }
            spans.add(new CharSpan((int) start, (int) end));
        }
        ErrorRegion computed = FINDER.findInCompletion(rejected, chosen);
        int lines = (int) rejected.lines().count();
        int covered = (int) Math.min(lines, spans.stream().mapToLong(s -> s.slice(rejected).lines().count()).sum());
        return new ErrorRegion(spans, covered, Math.max(lines, computed.totalLines()));
    }
}

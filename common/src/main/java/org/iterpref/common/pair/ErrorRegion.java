package org.iterpref.common.pair;

import java.util.List;

/**
 * The error region of a rejected completion: the parts of the failing code that the final,
 * passing code changed, as {@link CharSpan}s in code points (see {@link ErrorRegionFinder} for
 * the rule). Tokens that overlap a span are the focal tokens of focal DPO.
 *
 * @param spans sorted, non-overlapping spans, each covering whole lines with their terminators
 * @param changedLines how many lines of the rejected code the spans cover
 * @param totalLines how many lines the rejected code has
 */
public record ErrorRegion(List<CharSpan> spans, int changedLines, int totalLines) {

    public ErrorRegion {
        spans = List.copyOf(spans);
        if (totalLines < 0 || changedLines < 0 || changedLines > totalLines) {
            throw new IllegalArgumentException("need 0 <= changedLines <= totalLines, got "
                    + changedLines + " of " + totalLines);
        }
        for (int i = 1; i < spans.size(); i++) {
            if (spans.get(i).start() < spans.get(i - 1).end()) {
                throw new IllegalArgumentException("spans must be sorted and non-overlapping: " + spans);
            }
        }
    }

    /** No region in a text of {@code totalLines} lines. */
    public static ErrorRegion none(int totalLines) {
        return new ErrorRegion(List.of(), 0, totalLines);
    }

    /** True when there is nothing to point at (identical code, empty rejected code). */
    public boolean isEmpty() {
        return spans.isEmpty();
    }

    /**
     * Share of the rejected lines inside the region, 0 for an empty rejected text; a pair
     * filter drops pairs whose region is (nearly) the whole program.
     */
    public double lineShare() {
        return totalLines == 0 ? 0.0 : (double) changedLines / totalLines;
    }

    /** Number of code points the spans cover. */
    public int coveredCodePoints() {
        return spans.stream().mapToInt(CharSpan::length).sum();
    }

    /** This region with every span moved by {@code offset} code points. */
    public ErrorRegion shift(int offset) {
        return new ErrorRegion(spans.stream().map(span -> span.shift(offset)).toList(), changedLines, totalLines);
    }
}

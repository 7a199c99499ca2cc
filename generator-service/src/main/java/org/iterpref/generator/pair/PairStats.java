package org.iterpref.generator.pair;

import java.util.Map;

/**
 * Pair statistics: pairs kept (stored first), pairs a run made that an earlier run or an import
 * had already stored ({@code alreadyStored}: a run's feed and export serve them, the others do not),
 * pairs filtered by reason, and the size of the served pairs' error regions in lines (with the mean
 * share of the rejected code's lines they cover).
 */
public record PairStats(long kept, long alreadyStored, Map<String, Long> filtered, Distribution regionLines) {

    /** Region size in lines: min, median, 90th percentile, max, and mean share of the rejected lines. */
    public record Distribution(int min, double p50, double p90, int max, double meanShare) {
    }
}

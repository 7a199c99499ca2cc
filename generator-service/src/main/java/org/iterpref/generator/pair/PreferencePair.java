package org.iterpref.generator.pair;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A preference pair: for {@code prompt}, {@code chosen} (the final, passing code) is preferred to
 * {@code rejected} (a failing iteration); {@code errorSpans} are the rejected lines the fix changed,
 * as {@code [start, end)} Unicode code-point offsets into {@code rejected}. {@code feedPosition} is
 * the feed's cursor: commit-ordered, unlike {@code id} (see {@link PairFeedPositions}); null while
 * a transaction that could still commit a pair before it is running. Run, trajectory and iterations
 * are null for imported pairs. {@code alreadyStored}: the run made a pair that an earlier run or an
 * import had stored first; only a run's feed and export serve such pairs.
 */
public record PreferencePair(
        long id,
        String origin,
        UUID runId,
        String taskSet,
        UUID trajectoryId,
        UUID taskId,
        Integer chosenIteration,
        Integer rejectedIteration,
        String prompt,
        String chosen,
        String rejected,
        List<int[]> errorSpans,
        int regionLines,
        int rejectedLines,
        boolean synthetic,
        boolean alreadyStored,
        Instant createdAt,
        Long feedPosition) {
}

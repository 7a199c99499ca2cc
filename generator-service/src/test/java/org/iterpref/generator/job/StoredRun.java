package org.iterpref.generator.job;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What a generation run left in the database, by content only: per trajectory (task and sample)
 * its ending, kept mutation plan and iterations, and its pairs, without database ids or times, so
 * two runs with the same seed compare equal when they produced the same data.
 *
 * <p>Of two samples that produced the same pair, the one stored first is KEPT and the other a
 * DUPLICATE; which is first depends on timing, so a pair's {@link PairContent#outcome} does not
 * tell them apart, and {@link #keptPairs} says which pair contents are kept.
 */
record StoredRun(Map<String, TrajectoryContent> trajectories, List<PairContent> pairs, Set<KeptPair> keptPairs) {

    static final String KEPT_OR_DUPLICATE = "KEPT or DUPLICATE";

    /** A trajectory's ending, its bugs, the iteration count it records, and its stored iterations in number order. */
    record TrajectoryContent(String status, String error, String finalCode, String mutationPlan, int recordedIterations,
                             List<IterationContent> iterations) {

        /** Whether the stored iteration numbers are exactly 0..n-1 and the trajectory records n. */
        boolean numberedWithoutGapOrRepeat() {
            for (int i = 0; i < iterations.size(); i++) {
                if (iterations.get(i).number() != i) {
                    return false;
                }
            }
            return recordedIterations == iterations.size();
        }
    }

    record IterationContent(int number, String prompt, String code, String model, String verdict, int passed, int total,
                            String feedback) {
    }

    /** A pair of a trajectory; {@code outcome}: {@value #KEPT_OR_DUPLICATE}, or the filter that turned it away. */
    record PairContent(String trajectory, Integer chosenIteration, Integer rejectedIteration, String prompt, String chosen,
                       String rejected, String errorSpans, int regionLines, int rejectedLines, String outcome) {
    }

    /** What the feed serves of a kept pair, whichever trajectory it came from. */
    record KeptPair(String prompt, String chosen, String rejected, String errorSpans) {
    }

    static StoredRun read(JdbcClient jdbc, UUID runId) {
        Map<String, List<IterationContent>> iterations = jdbc.sql("""
                        select k.external_id || '#' || t.sample as trajectory, i.* from iterations i
                        join trajectories t on t.id = i.trajectory_id join tasks k on k.id = t.task_id
                        where t.run_id = ? order by i.trajectory_id, i.number""").param(runId)
                .query((rs, n) -> Map.entry(rs.getString("trajectory"), new IterationContent(rs.getInt("number"),
                        rs.getString("prompt"), rs.getString("code"), rs.getString("model"), rs.getString("verdict"),
                        rs.getInt("passed"), rs.getInt("total"), rs.getString("feedback"))))
                .list().stream().collect(Collectors.groupingBy(Map.Entry::getKey,
                        Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
        Map<String, TrajectoryContent> trajectories = new TreeMap<>();
        jdbc.sql("""
                        select k.external_id || '#' || t.sample as trajectory, t.status, t.error, t.final_code,
                               t.mutation_plan::text as plan, t.iterations
                        from trajectories t join tasks k on k.id = t.task_id where t.run_id = ?""").param(runId)
                .query(rs -> {
                    String key = rs.getString("trajectory");
                    trajectories.put(key, new TrajectoryContent(rs.getString("status"), rs.getString("error"),
                            rs.getString("final_code"), rs.getString("plan"), rs.getInt("iterations"),
                            iterations.getOrDefault(key, List.of())));
                });
        List<PairContent> pairs = jdbc.sql("""
                        select k.external_id || '#' || t.sample as trajectory, p.* from pairs p
                        join trajectories t on t.id = p.trajectory_id join tasks k on k.id = t.task_id
                        where p.run_id = ? order by trajectory, p.rejected_iteration""").param(runId)
                .query((rs, n) -> new PairContent(rs.getString("trajectory"), (Integer) rs.getObject("chosen_iteration"),
                        (Integer) rs.getObject("rejected_iteration"), rs.getString("prompt"), rs.getString("chosen"),
                        rs.getString("rejected"), rs.getString("error_spans"), rs.getInt("region_lines"),
                        rs.getInt("rejected_lines"), outcome(rs.getString("status"), rs.getString("filter_reason"))))
                .list();
        Set<KeptPair> kept = new HashSet<>(jdbc.sql(
                        "select prompt, chosen, rejected, error_spans from pairs where run_id = ? and status = 'KEPT'")
                .param(runId).query((rs, n) -> new KeptPair(rs.getString("prompt"), rs.getString("chosen"),
                        rs.getString("rejected"), rs.getString("error_spans"))).list());
        return new StoredRun(trajectories, pairs, kept);
    }

    private static String outcome(String status, String filterReason) {
        return status.equals("KEPT") || "DUPLICATE".equals(filterReason) ? KEPT_OR_DUPLICATE : filterReason;
    }

    int iterationCount() {
        return trajectories.values().stream().mapToInt(t -> t.iterations().size()).sum();
    }
}

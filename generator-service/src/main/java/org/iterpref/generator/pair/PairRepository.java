package org.iterpref.generator.pair;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.iterpref.common.pair.CharSpan;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Pairs in PostgreSQL: stored once per (trajectory, rejected iteration); the feed serves them in the
 * order of their feed position ({@link PairFeedPositions}), which never skips a committed pair.
 */
@Repository
public class PairRepository {

    private static final TypeReference<List<int[]>> SPANS = new TypeReference<>() { };
    static final int EXPORT_FETCH_SIZE = 1000;
    private static final String EXPORT_COLUMNS = """
            select id, origin, run_id, task_set, trajectory_id, task_id, chosen_iteration, rejected_iteration, prompt,
                   chosen, rejected, error_spans, region_lines, rejected_lines, synthetic, status = 'KNOWN'
            from pairs""";

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final TransactionTemplate readOnly;
    private final JsonMapper json;
    private final PairFeedPositions positions;

    public PairRepository(JdbcClient jdbc, JdbcTemplate template, TransactionTemplate transactions, JsonMapper json,
                          PairFeedPositions positions) {
        this.jdbc = jdbc;
        this.positions = positions;
        this.template = template;
        this.readOnly = new TransactionTemplate(transactions.getTransactionManager());
        this.readOnly.setReadOnly(true);
        this.json = json;
    }

    /**
     * Filters for the feed and the export; null fields match everything. A run's pairs include those
     * it made again after an earlier run or an import had stored them (status KNOWN); without a run,
     * only pairs stored first (KEPT) match, so that each pair is served once.
     */
    public record Filter(UUID runId, String taskSet, Boolean synthetic) {

        String where(List<Object> params) {
            return " where " + servedStatus() + conditions(params);
        }

        String servedStatus() {
            return runId == null ? "status = 'KEPT'" : "status in ('KEPT', 'KNOWN')";
        }

        /** The filter's own conditions, each starting with " and ". */
        String conditions(List<Object> params) {
            StringBuilder sql = new StringBuilder();
            if (runId != null) {
                sql.append(" and run_id = ?");
                params.add(runId);
            }
            if (taskSet != null) {
                sql.append(" and task_set = ?");
                params.add(taskSet);
            }
            if (synthetic != null) {
                sql.append(" and synthetic = ?");
                params.add(synthetic);
            }
            return sql.toString();
        }
    }

    /**
     * Stores a pair: KEPT unless it carries a filter reason, or the same pair (normalised) is kept
     * already. Kept by another run or imported, it is KNOWN: this run's pair all the same, served in
     * its feed, once; kept by the same run, already KNOWN in it (another sample made it too), or, for
     * an import, kept anywhere, it is a DUPLICATE. Storing the same (trajectory, rejected iteration)
     * twice changes nothing. Returns the reason it was filtered, or null.
     */
    public FilterReason insert(PairDraft d) {
        if (d.filterReason() == null && insertRow(d, "KEPT", null) == 1) {
            return null;
        }
        if (d.trajectoryId() != null && exists(d.trajectoryId(), d.rejectedIteration())) {
            return d.filterReason();
        }
        if (d.filterReason() == null && d.runId() != null && keptByAnotherRun(d)
                && insertRow(d, "KNOWN", null) == 1) {
            return null; // a second KNOWN of the same pair in this run conflicts with pairs_known_dedup
        }
        FilterReason reason = d.filterReason() == null ? FilterReason.DUPLICATE : d.filterReason();
        insertRow(d, "FILTERED", reason);
        return reason;
    }

    /** Whether the kept pair this one repeats came from another run or an import (its insert conflicted with it). */
    private boolean keptByAnotherRun(PairDraft d) {
        return jdbc.sql("select exists (select 1 from pairs where dedup_key = ? and status = 'KEPT'"
                        + " and run_id is distinct from ?)")
                .params(d.dedupKey(), d.runId()).query(Boolean.class).single();
    }

    private int insertRow(PairDraft d, String status, FilterReason reason) {
        List<int[]> spans = d.region().spans().stream().map(s -> new int[] {s.start(), s.end()}).toList();
        return jdbc.sql("""
                insert into pairs (origin, run_id, task_set, trajectory_id, task_id, chosen_iteration,
                                   rejected_iteration, prompt, chosen, rejected, error_spans, region_lines,
                                   rejected_lines, synthetic, status, filter_reason, dedup_key)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?)
                on conflict do nothing""")
                .params(d.origin(), d.runId(), d.taskSet(), d.trajectoryId(), d.taskId(), d.chosenIteration(),
                        d.rejectedIteration(), d.prompt(), d.chosen(), d.rejected(), json.writeValueAsString(spans),
                        d.region().changedLines(), d.region().totalLines(), d.synthetic(), status,
                        reason == null ? null : reason.name(), d.dedupKey())
                .update();
    }

    private boolean exists(UUID trajectoryId, Integer rejectedIteration) {
        return jdbc.sql("select exists (select 1 from pairs where trajectory_id = ? and rejected_iteration = ?)")
                .params(trajectoryId, rejectedIteration).query(Boolean.class).single();
    }

    /**
     * Up to {@code limit} kept pairs with a feed position above {@code after}, in position order.
     * Positions pairs whose writers have ended first, so what is returned never gains a pair below it.
     */
    public List<PreferencePair> page(long after, int limit, Filter filter) {
        positions.assign();
        List<Object> params = new ArrayList<>();
        String where = filter.where(params);
        params.add(0, after);
        params.add(limit);
        return jdbc.sql("select * from pairs where feed_position > ? and" + where.substring(" where".length())
                        + " order by feed_position limit ?")
                .params(params).query(this::map).list();
    }

    /**
     * Every pair the filter serves, as the export writes it, in id order, streamed from a server-side
     * cursor of {@value #EXPORT_FETCH_SIZE} rows at a time: memory does not grow with the number of pairs.
     */
    public void forEach(Filter filter, Consumer<ExportedPair> sink) {
        List<Object> params = new ArrayList<>();
        String sql = EXPORT_COLUMNS + filter.where(params) + " order by id";
        readOnly.executeWithoutResult(status -> template.query(connection -> {
            var statement = connection.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
            statement.setFetchSize(EXPORT_FETCH_SIZE);
            for (int i = 0; i < params.size(); i++) {
                statement.setObject(i + 1, params.get(i));
            }
            return statement;
        }, rs -> {
            sink.accept(exported(rs));
        }));
    }

    /**
     * Counts (pairs stored first, pairs already stored before, filtered ones by reason), and the
     * distribution of region sizes of the pairs the filter serves.
     */
    public PairStats stats(Filter filter) {
        List<Object> params = new ArrayList<>();
        String where = " where true" + filter.conditions(params);
        var counts = jdbc.sql("select status, coalesce(filter_reason, '') as reason, count(*) as n from pairs" + where
                        + " group by status, filter_reason").params(params)
                .query((rs, n) -> new Object[] {rs.getString("status"), rs.getString("reason"), rs.getLong("n")}).list();
        long kept = 0;
        long alreadyStored = 0;
        java.util.Map<String, Long> filtered = new java.util.TreeMap<>();
        for (Object[] row : counts) {
            if ("KEPT".equals(row[0])) {
                kept += (Long) row[2];
            } else if ("KNOWN".equals(row[0])) {
                alreadyStored += (Long) row[2];
            } else {
                filtered.merge((String) row[1], (Long) row[2], Long::sum);
            }
        }
        List<Object> keptParams = new ArrayList<>();
        String keptWhere = filter.where(keptParams);
        PairStats.Distribution lines = jdbc.sql("""
                select coalesce(min(region_lines), 0) as min,
                       coalesce(percentile_cont(0.5) within group (order by region_lines), 0) as p50,
                       coalesce(percentile_cont(0.9) within group (order by region_lines), 0) as p90,
                       coalesce(max(region_lines), 0) as max,
                       coalesce(avg(region_lines::float / greatest(rejected_lines, 1)), 0) as share
                from pairs""" + keptWhere).params(keptParams)
                .query((rs, n) -> new PairStats.Distribution(rs.getInt("min"), rs.getDouble("p50"), rs.getDouble("p90"),
                        rs.getInt("max"), rs.getDouble("share"))).single();
        return new PairStats(kept, alreadyStored, filtered, lines);
    }

    private PreferencePair map(ResultSet rs, int row) throws SQLException {
        Integer chosenIteration = (Integer) rs.getObject("chosen_iteration");
        Integer rejectedIteration = (Integer) rs.getObject("rejected_iteration");
        return new PreferencePair(rs.getLong("id"), rs.getString("origin"), rs.getObject("run_id", UUID.class),
                rs.getString("task_set"), rs.getObject("trajectory_id", UUID.class), rs.getObject("task_id", UUID.class),
                chosenIteration, rejectedIteration, rs.getString("prompt"), rs.getString("chosen"),
                rs.getString("rejected"), json.readValue(rs.getString("error_spans"), SPANS), rs.getInt("region_lines"),
                rs.getInt("rejected_lines"), rs.getBoolean("synthetic"), "KNOWN".equals(rs.getString("status")),
                rs.getTimestamp("created_at").toInstant(), rs.getObject("feed_position", Long.class));
    }

    private static ExportedPair exported(ResultSet rs) throws SQLException {
        return new ExportedPair(rs.getLong(1), rs.getString(2), rs.getObject(3, UUID.class), rs.getString(4),
                rs.getObject(5, UUID.class), rs.getObject(6, UUID.class), (Integer) rs.getObject(7),
                (Integer) rs.getObject(8), rs.getBytes(9), rs.getBytes(10), rs.getBytes(11), rs.getString(12),
                rs.getInt(13), rs.getInt(14), rs.getBoolean(15), rs.getBoolean(16));
    }

    static List<CharSpan> spans(List<int[]> raw) {
        return raw.stream().map(s -> new CharSpan(s[0], s[1])).toList();
    }
}

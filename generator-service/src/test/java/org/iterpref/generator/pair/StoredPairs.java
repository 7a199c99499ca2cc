package org.iterpref.generator.pair;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Many kept pairs stored at once by PostgreSQL itself ({@code insert ... select generate_series}), as
 * the export finds rows stored by the workers: realistic sizes (~0.6 KB), unique dedup keys, and feed
 * positions continuing above the highest one (what {@link PairFeedPositions} would assign).
 */
final class StoredPairs {

    private StoredPairs() {
    }

    /** Stores {@code count} kept pairs of task set {@code set} in the database at {@code jdbcUrl}. */
    static void insert(String jdbcUrl, String user, String password, String set, int count) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, user, password);
             PreparedStatement insert = connection.prepareStatement("""
                     insert into pairs (origin, task_set, prompt, chosen, rejected, error_spans, region_lines,
                                        rejected_lines, synthetic, status, dedup_key, feed_position)
                     select 'IMPORTED', ?, 'Write a function f(xs) that returns the running maximum of xs. #' || g,
                            repeat(E'def f(xs):\\n    best = None\\n    out = []\\n    for x in xs:\\n', 3)
                                || E'    return out  # ' || g,
                            repeat(E'def f(xs):\\n    best = 0\\n    out = []\\n    for x in xs:\\n', 3)
                                || E'    return out  # ' || g,
                            '[[11, 24]]'::jsonb, 1, 13, false, 'KEPT', md5(? || g), top.position + g
                     from generate_series(1, ?) g,
                          (select coalesce(max(feed_position), 0) as position from pairs) top""")) {
            insert.setString(1, set);
            insert.setString(2, set);
            insert.setInt(3, count);
            insert.executeUpdate();
        }
    }
}

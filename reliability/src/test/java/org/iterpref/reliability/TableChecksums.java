package org.iterpref.reliability;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An md5 of every row of every table of each service database, read as that service's own role:
 * equal checksums before and after mean the stored data did not change.
 */
final class TableChecksums {

    /**
     * Tables whose rows change with every request by design, not stored data: the gateway's token
     * buckets (each request takes a token).
     */
    static final Set<String> VOLATILE = Set.of("gateway.public.rate_limit_buckets");

    private TableChecksums() {
    }

    /** "database.schema.table" to "rows:md5". */
    static Map<String, String> of(PlatformProcesses platform, List<String> databases) throws SQLException {
        Map<String, String> sums = new TreeMap<>();
        for (String database : databases) {
            try (Connection db = DriverManager.getConnection(platform.jdbcUrl(database), database, "")) {
                for (String table : tables(db)) {
                    String name = database + "." + table;
                    if (VOLATILE.contains(name)) {
                        continue;
                    }
                    try (ResultSet rs = db.createStatement().executeQuery("select count(*), md5(coalesce("
                            + "string_agg(t::text, ',' order by t::text), '')) from " + table + " t")) {
                        rs.next();
                        sums.put(name, rs.getLong(1) + ":" + rs.getString(2));
                    }
                }
            }
        }
        return sums;
    }

    private static List<String> tables(Connection db) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (ResultSet rs = db.createStatement().executeQuery("select table_schema, table_name from"
                + " information_schema.tables where table_type = 'BASE TABLE' and table_schema not in"
                + " ('pg_catalog', 'information_schema') order by 1, 2")) {
            while (rs.next()) {
                tables.add("\"" + rs.getString(1) + "\".\"" + rs.getString(2) + "\"");
            }
        }
        return tables.stream().map(t -> t.replace("\"", "")).toList();
    }
}

package org.iterpref.web.db;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Whether a failure means the database could not be reached (down, restarting, the connection
 * dropped, no connection to be had in time) rather than that the work itself is wrong: such a
 * failure is retried later, never recorded as the work's outcome. Read from the whole cause chain,
 * because Spring, Hibernate and the transaction manager each wrap the driver's exception their own
 * way (a broken connection can surface as {@code JpaSystemException: Unable to rollback}).
 */
public final class DatabaseOutage {

    /** SQLSTATE class 08 (connection exception) and PostgreSQL's shutdown / starting-up states. */
    private static final Set<String> SHUTDOWN_STATES = Set.of("57P01", "57P02", "57P03");

    /** Wrappers that say "unreachable" without a driver exception under them, by name (no compile-time dependency). */
    private static final Set<String> OUTAGE_TYPES = Set.of(
            "org.springframework.dao.DataAccessResourceFailureException",
            "org.springframework.dao.TransientDataAccessResourceException",
            "org.springframework.dao.RecoverableDataAccessException",
            "org.hibernate.exception.JDBCConnectionException");

    private DatabaseOutage() {
    }

    public static boolean isOutage(Throwable failure) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = failure; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLRecoverableException
                    || t instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || SHUTDOWN_STATES.contains(sql.getSQLState()))) {
                return true;
            }
            for (Class<?> type = t.getClass(); type != null; type = type.getSuperclass()) {
                if (OUTAGE_TYPES.contains(type.getName())) {
                    return true;
                }
            }
        }
        return false;
    }
}

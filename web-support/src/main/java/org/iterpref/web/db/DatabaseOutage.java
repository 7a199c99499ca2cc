package org.iterpref.web.db;

import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Whether a failure means the database is unreachable for now (restarting, connections cut, the
 * pool out of connections) rather than that the work itself is at fault: Spring's transient,
 * resource-failure and recoverable data-access exceptions (a connection that cannot be had
 * included), JDBC's transient-connection and recoverable exceptions (Hikari's connection timeout
 * is one), a driver's SQLSTATE of class 08 (connection exception) or 57P01..57P03 (the server
 * shutting down or starting up), and Hikari's "Connection is closed" (a pooled connection evicted as
 * broken, used again, e.g. to roll back: it carries no SQLSTATE), anywhere in the cause chain.
 * Classes are matched by name, so no module needs spring-jdbc or a driver on its classpath to ask.
 */
public final class DatabaseOutage {

    private static final Set<String> OUTAGE_TYPES = Set.of(
            "org.springframework.dao.TransientDataAccessException",
            "org.springframework.dao.DataAccessResourceFailureException",
            "org.springframework.dao.RecoverableDataAccessException",
            "org.springframework.transaction.CannotCreateTransactionException",
            "java.sql.SQLTransientConnectionException",
            "java.sql.SQLRecoverableException");
    private static final Set<String> OUTAGE_SQL_STATES = Set.of("57P01", "57P02", "57P03");
    /** What Hikari's proxy of a connection it closed throws, without an SQLSTATE. */
    private static final String HIKARI_CLOSED_CONNECTION = "Connection is closed";

    private DatabaseOutage() {
    }

    public static boolean causedBy(Throwable failure) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = failure; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            if (isOutageType(t.getClass()) || isOutageState(t)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isOutageType(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (OUTAGE_TYPES.contains(c.getName())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isOutageState(Throwable t) {
        if (!(t instanceof SQLException sql)) {
            return false;
        }
        String state = sql.getSQLState();
        if (state == null) {
            return sql.getClass() == SQLException.class && HIKARI_CLOSED_CONNECTION.equals(sql.getMessage());
        }
        return state.startsWith("08") || OUTAGE_SQL_STATES.contains(state);
    }
}

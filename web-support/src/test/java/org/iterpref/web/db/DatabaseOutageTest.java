package org.iterpref.web.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;

class DatabaseOutageTest {

    @Test
    void aConnectionClosedUnderATransactionManagersWrapperIsAnOutage() {
        SQLException closed = new SQLException("This connection has been closed.", "08003");
        RuntimeException rollback = new RuntimeException("Unable to rollback against JDBC Connection",
                new IllegalStateException("rollback failed", closed));
        assertThat(DatabaseOutage.isOutage(rollback)).isTrue();
    }

    @Test
    void shutdownStatesPoolTimeoutsAndSpringsResourceFailuresAreOutages() {
        assertThat(DatabaseOutage.isOutage(new SQLException("terminating connection due to administrator command",
                "57P01"))).isTrue();
        assertThat(DatabaseOutage.isOutage(new RuntimeException(new SQLTransientConnectionException(
                "HikariPool-1 - Connection is not available, request timed out after 30000ms.")))).isTrue();
        assertThat(DatabaseOutage.isOutage(new DataAccessResourceFailureException("no connection"))).isTrue();
    }

    @Test
    void wrongDataAndOtherFailuresAreNot() {
        assertThat(DatabaseOutage.isOutage(new DataIntegrityViolationException("duplicate key",
                new SQLException("duplicate key value", "23505")))).isFalse();
        assertThat(DatabaseOutage.isOutage(new SQLException("syntax error", "42601"))).isFalse();
        assertThat(DatabaseOutage.isOutage(new IllegalArgumentException("bad pair"))).isFalse();
        assertThat(DatabaseOutage.isOutage(null)).isFalse();
    }

    @Test
    void aCauseCycleEnds() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        assertThat(DatabaseOutage.isOutage(a)).isFalse();
    }
}

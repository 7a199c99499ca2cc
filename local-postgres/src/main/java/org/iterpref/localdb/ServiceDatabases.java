package org.iterpref.localdb;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One database per service, owned by a login role of the same name: a service's Flyway migrations
 * and tables live in its own database, which no other service's role may connect to, and a second
 * start finds them as they were. Names are
 * checked by {@link LocalPostgresOptions} (lower-case SQL identifiers) before they reach SQL.
 */
final class ServiceDatabases {

    private static final Logger log = LoggerFactory.getLogger(ServiceDatabases.class);

    private final DataSource admin;

    ServiceDatabases(DataSource admin) {
        this.admin = admin;
    }

    void ensure(List<String> names) throws SQLException {
        try (Connection connection = admin.getConnection(); Statement statement = connection.createStatement()) {
            for (String name : names) {
                if (!exists(connection, "select 1 from pg_roles where rolname = ?", name)) {
                    statement.execute("create role \"" + name + "\" login");
                }
                if (exists(connection, "select 1 from pg_database where datname = ?", name)) {
                    log.info("database {} found", name);
                } else {
                    statement.execute("create database \"" + name + "\" owner \"" + name + "\"");
                    log.info("database {} created", name);
                }
                // only its owner (and the superuser) may connect: one service cannot read another's tables
                statement.execute("revoke connect, temporary on database \"" + name + "\" from public");
            }
        }
    }

    private static boolean exists(Connection connection, String query, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(query)) {
            select.setString(1, name);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }
}

